"""Celery tasks of the LMS app (grade passback). Thin: ids in, a service call (`ags`).

Idempotent: a record already sent with its score is not sent again, and scores are absolute and
timestamped, so a message delivered twice changes nothing on the LMS.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from grading import services as grading_services

from . import ags

# A network error or a 5xx is retried with backoff (2, 4, 8 … s, at most 10 min apart, with
# jitter) for about an hour; a 4xx is final and is not raised (the record keeps the error).
RETRY: dict[str, Any] = {
    "autoretry_for": (ags.LmsUnavailable,),
    "retry_backoff": 2,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}


class SendScoreTask(Task):
    """Retries exhausted: the record is marked failed with the last error, for the monitor."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        grading_services.passback_give_up(args[0], f"Gave up after retries: {exc}")


@shared_task(acks_late=True, **RETRY)
def passback_attempts(attempt_ids: list[int]) -> int:
    """Scores of these attempts changed (or were released): prepare and send what the LMS lacks."""
    return len(ags.passback_attempts(attempt_ids))


@shared_task(acks_late=True, **RETRY)
def passback_assignment(assignment_id: int) -> int:
    """An instructor released the results of an assignment by hand."""
    return len(ags.passback_attempts(ags.attempts_of(assignment_id)))


@shared_task(bind=True, base=SendScoreTask, acks_late=True, soft_time_limit=60, time_limit=90, **RETRY)
def send_score(self: Task, passback_id: int) -> str:
    return ags.score_send(passback_id)


@shared_task
def passback_due() -> int:
    """Beat: scores released by time (after close), or whose message was lost."""
    return len(ags.passback_attempts(ags.attempts_due()))
