"""Celery tasks of the grading queue. Thin: ids in, a service call, nothing else."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import queueing, selectors, services

# Database hiccups are worth retrying; a bug is not (it would fail the same way again).
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def grade_attempt(attempt_id: int) -> None:
    services.attempt_grade(attempt_id)


@shared_task
def sweep_ungraded() -> int:
    """Enqueue submitted attempts that are still ungraded a while after submission (lost messages)."""
    attempt_ids = selectors.attempts_awaiting_grading()
    for attempt_id in attempt_ids:
        queueing.enqueue_attempt_grading(attempt_id)
    return len(attempt_ids)
