"""The Celery app. Workers: `celery -A classroom worker -Q grading,default`; beat: `celery -A classroom beat`."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")

app = Celery("classroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The schedule lives in code: exam windows are data, so one generic tick serves them all.
app.conf.beat_schedule = {
    "close-due-attempts-and-windows": {
        "task": "quizzes.tasks.close_due_work",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},
    },
    "sweep-ungraded-answers": {
        "task": "grading.tasks.sweep_ungraded",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
}
