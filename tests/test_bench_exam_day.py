"""The exam-day benchmark's own smoke run: 5 students over HTTP against gunicorn, a real worker and
beat, on the test database (kept: pytest-django empties it afterwards)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

from grading.models import Grade
from grading.tests.processes import database_url
from quizzes.models import Answer, Attempt

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# About 40 s on an idle 2-core machine (the stack boots while the exam is built; a 20-second
# window); the bound is for a machine shared with other work.
TIMEOUT = 600


def test_the_smoke_run_drives_every_step_loses_no_save_and_grades_every_answer():
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CACHE_URL": os.environ.get("CACHE_URL") or settings.CELERY_BROKER_URL,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    bench = subprocess.Popen(
        [sys.executable, "bench/exam_day.py", "--smoke", "--keep-database"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        out, _ = bench.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        bench.terminate()  # SIGTERM: the benchmark stops its stack
        out, _ = bench.communicate(timeout=60)
    assert bench.returncode == 0, out[-3000:]

    rows = dict(re.findall(r"^\| ([a-z ]+) \| (\d+) \|", out, re.M))
    for step in ("login", "dashboard", "start page", "start", "attempt page"):
        assert rows.get(step) == "5", out
    assert int(rows["autosave"]) >= 5 * 4  # a save every 2 s of a 20-second window
    assert rows["submit"] == "4"  # 80 %: the fifth is auto-submitted by the beat's tick
    assert "errors: 0" in out
    checked = re.search(r"acknowledged saves: (\d+) answers checked against the database, 0 lost", out)
    assert checked and int(checked[1]) >= 10, out  # each save changes one of the 3 answers, drawn at random
    assert re.search(r"grading: all 15 answers graded [\d.]+s after the close", out), out

    review = re.search(r"review: (\d+) answers below the review threshold; (\d+) attempts wait for a person", out)
    assert review, out

    attempts = Attempt.objects.filter(student__username__startswith="examday-")
    answers = Answer.objects.filter(attempt__in=attempts)
    assert Grade.objects.filter(answer__in=answers, is_current=True).count() == answers.count() == 15
    # An attempt is graded once no answer waits for a person: the smoke run's made-up answers often
    # leave one below the review threshold, and that attempt rightly stays 'submitted'.
    # (an auto-submitted attempt keeps 'auto_submitted' then: how it was closed stays visible)
    closed = (Attempt.Status.SUBMITTED, Attempt.Status.AUTO_SUBMITTED)
    for attempt in attempts:
        waits = Grade.objects.filter(
            answer__attempt=attempt, is_current=True, status=Grade.Status.NEEDS_REVIEW
        ).exists()
        assert (attempt.status in closed) if waits else attempt.status == Attempt.Status.GRADED, attempt.pk
    needs_review = Grade.objects.filter(answer__in=answers, is_current=True, status=Grade.Status.NEEDS_REVIEW)
    assert int(review[1]) == needs_review.count()
    assert int(review[2]) == attempts.filter(status__in=closed).count()
    # the benchmark's worker consumes the queues of the compose file's worker, pre-grading included
    worker_log = (settings.BASE_DIR / "var" / "bench" / "exam_day" / "worker.log").read_text()
    assert re.search(r"\.> pregrade\s+exchange=", worker_log), worker_log[:3000]
