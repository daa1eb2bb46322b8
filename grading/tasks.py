"""Celery tasks of the grading queue. Thin: ids in, a service call, nothing else.

All are idempotent (state guards and unique constraints in the services), acknowledged late with
prefetch 1 (settings), so a worker that dies mid-task leaves its message to be delivered again; a
message that keeps coming back (its work kills the worker every time) is dead-lettered after
services.jobs.MAX_REDELIVERIES.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)

# Database or broker hiccups are worth retrying; a bug is not (it would fail the same way again).
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


class ChunkTask(Task):
    """Dead letter: a chunk that failed for good (a bug, or retries exhausted) is recorded on its job."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        job_id, answer_ids = args[0], args[1]
        services.chunk_fail_for_good(job_id, answer_ids, f"{type(exc).__name__}: {exc}")


class AttemptTask(Task):
    """Dead letter of the per-attempt path: a failure for good is recorded on the attempt's job
    (which would otherwise stay `running`, and the sweeper would send the attempt again forever)."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        services.attempt_fail(args[0], f"{type(exc).__name__}: {exc}")


def redelivered(task: Task) -> bool:
    """The broker marks a message it delivers again after its worker was lost."""
    return bool((task.request.delivery_info or {}).get("redelivered"))


@shared_task(bind=True, base=AttemptTask, acks_late=True, **RETRY)
def grade_attempt(self: Task, attempt_id: int) -> None:
    if redelivered(self) and services.attempt_redelivered(attempt_id):
        return
    services.attempt_grade(attempt_id)


@shared_task(acks_late=True, **RETRY)
def grade_job(job_id: int) -> int:
    """Plan a batch job (assignment close, regrade) and fan its chunks out across the workers."""
    chunks = services.job_plan(job_id)
    for answer_ids in chunks:
        grade_chunk.apply_async(args=[job_id, answer_ids])
    return len(chunks)


@shared_task(bind=True, base=ChunkTask, acks_late=True, soft_time_limit=600, time_limit=660, **RETRY)
def grade_chunk(self: Task, job_id: int, answer_ids: list[int]) -> None:
    if redelivered(self) and services.chunk_redelivered(job_id, answer_ids):
        return
    services.chunk_grade(job_id, answer_ids, task_id=self.request.id or "", worker=self.request.hostname or "")


@shared_task
def close_due_work() -> dict[str, int]:
    """The exam windows' tick (beat, every minute; on the default queue, never behind grading
    chunks): auto-submit overdue attempts with the answers saved so far; start grading closed windows."""
    attempts, jobs = services.attempts_close_due()
    return {"auto_submitted": attempts, "jobs_started": jobs}


@shared_task
def reclaim_chunks() -> int:
    """Hand the chunks of dead workers (their lease expired) to the others (every
    GRADING_LEASE_SWEEP_SECONDS, on the default queue: never behind the grading backlog)."""
    return services.chunks_reclaim()


@shared_task(rate_limit="6/m", acks_late=False, soft_time_limit=120, time_limit=150)
def pregrade_stable_answers() -> int:
    """Score free-text answers that stopped changing, into the score cache only (beat, every
    GRADING_PREGRADE_EVERY seconds, on the low-priority `pregrade` queue; at most 6 ticks a minute
    per worker whatever the schedule). Not acknowledged late: a lost tick is simply the next one."""
    return services.answers_pregrade().examined


@shared_task
def prune_score_cache() -> int:
    """Delete score-cache entries older than GRADING_SCORE_CACHE_DAYS (beat, once a day)."""
    return services.score_cache_prune()


@shared_task
def sweep_ungraded() -> dict[str, int]:
    """Re-enqueue work that a lost message left behind (every two minutes, see classroom/celery.py)."""
    outcome = services.sweep()
    return {"attempts": outcome.attempts, "jobs": outcome.jobs, "reports": outcome.reports}


class SimilarityTask(Task):
    """Dead letter: a report that failed for good says so on its page (with the error), not a 500."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        services.similarity_report_fail(args[0], f"{type(exc).__name__}: {exc}")


@shared_task(base=SimilarityTask, acks_late=True, soft_time_limit=1800, time_limit=1860, **RETRY)
def similarity_report(report_id: int) -> None:
    """Compute an assignment's similarity report (idempotent: a finished report is left alone)."""
    services.similarity_report_compute(report_id)
