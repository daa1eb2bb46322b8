"""Putting grading work on the broker without ever failing the caller (`common.queueing`).

A student's submit must succeed when the broker is down: the attempt is in the database, the
error is logged, and the periodic sweeper (`grading.tasks.sweep_ungraded`) enqueues it later.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from common.queueing import send_task
from quizzes.models import Attempt

GRADE_ATTEMPT = "grading.tasks.grade_attempt"
GRADE_JOB = "grading.tasks.grade_job"
GRADE_CHUNK = "grading.tasks.grade_chunk"


def enqueue_attempt_grading(attempt_id: int) -> bool:
    return send_task(GRADE_ATTEMPT, [attempt_id], f"attempt={attempt_id}")


def enqueue_job(job_id: int) -> bool:
    return send_task(GRADE_JOB, [job_id], f"job={job_id}")


def enqueue_chunk(job_id: int, answer_ids: list[int]) -> bool:
    return send_task(GRADE_CHUNK, [job_id, answer_ids], f"job={job_id} answers={len(answer_ids)}")


# Scores of attempts changed (graded, overridden, regraded): the LMS app sends them to the
# gradebooks of the activities they came from (`lti.tasks.passback_attempts`), by name, so
# grading imports nothing of the app above it.
SCORES_CHANGED = "lti.tasks.passback_attempts"


def scores_changed(attempt_ids: Iterable[int]) -> None:
    """After commit: the attempts among `attempt_ids` (ids, or a query of them, read only then)
    now graded, handed to the LMS app in one message."""

    def send() -> None:
        ids = attempt_ids if isinstance(attempt_ids, QuerySet) else list(attempt_ids)
        graded = list(Attempt.objects.filter(pk__in=ids, status=Attempt.Status.GRADED).values_list("pk", flat=True))
        if graded:
            send_task(SCORES_CHANGED, [graded], f"scores_changed attempts={len(graded)}")

    transaction.on_commit(send)


SIMILARITY_REPORT = "grading.tasks.similarity_report"


def enqueue_similarity_report(report_id: int) -> bool:
    return send_task(SIMILARITY_REPORT, [report_id], f"similarity_report={report_id}")
