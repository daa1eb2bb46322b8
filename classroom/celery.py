"""The Celery app. Workers: `celery -A classroom worker -Q grading,default`; beat: `celery -A classroom beat`."""

from __future__ import annotations

import logging
import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classroom.settings")

app = Celery("classroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The schedule lives in code: exam windows are data, so one generic tick serves them all.
app.conf.beat_schedule = {
    "close-due-attempts-and-windows": {
        "task": "grading.tasks.close_due_work",
        "schedule": crontab(),  # every minute
        "options": {"expires": 55},
    },
    "sweep-ungraded-answers": {
        "task": "grading.tasks.sweep_ungraded",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
    "prune-score-cache": {
        "task": "grading.tasks.prune_score_cache",
        "schedule": crontab(hour=3, minute=17),  # once a day, at night
        "options": {"expires": 3600},
    },
    "send-released-scores-to-lms": {
        "task": "lti.tasks.passback_due",
        "schedule": crontab(minute="*/2"),
        "options": {"expires": 110},
    },
}


@app.on_after_configure.connect
def schedule_from_settings(sender: Celery, **kwargs) -> None:
    """Ticks whose period is a setting (read once the app is configured, not at import).
    CLOSE_TICK_SECONDS > 0 replaces the minute tick of the closes by that period (the exam-day
    benchmark's smoke run closes a 20-second window)."""
    from django.conf import settings

    if settings.CLOSE_TICK_SECONDS > 0:
        sender.conf.beat_schedule["close-due-attempts-and-windows"]["schedule"] = float(settings.CLOSE_TICK_SECONDS)

    every = float(settings.GRADING_LEASE_SWEEP_SECONDS)
    sender.conf.beat_schedule["reclaim-chunks-of-dead-workers"] = {
        "task": "grading.tasks.reclaim_chunks",
        "schedule": every,
        "options": {"expires": every},
    }
    if settings.GRADING_PREGRADE_BATCH > 0:
        pregrade_every = float(settings.GRADING_PREGRADE_EVERY)
        sender.conf.beat_schedule["pregrade-stable-answers"] = {
            "task": "grading.tasks.pregrade_stable_answers",
            "schedule": pregrade_every,
            "options": {"expires": pregrade_every},  # a tick not run in time is dropped, never piled up
        }


def embed_threads_per_process(concurrency: object, cores: int, configured: int = 0) -> int:
    """Model threads for each pool process: the configured count, else the cores shared out
    between the pool's processes (at least one each)."""
    if configured > 0:
        return configured
    processes = concurrency if isinstance(concurrency, int) and concurrency > 0 else cores
    return max(1, cores // processes)


@signals.worker_init.connect
def cap_embedding_threads(sender, **kwargs) -> None:
    """Runs in the worker's main process before the pool forks, so every child inherits it."""
    from django.conf import settings

    from grading.engine.embedding import available_cores, set_threads

    threads = embed_threads_per_process(sender.concurrency, available_cores(), settings.GRADING_EMBED_THREADS)
    set_threads(threads)
    logging.getLogger("grading.jobs").info("embedding model: %s thread(s) per pool process", threads)
