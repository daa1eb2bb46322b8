"""Periodic work of exam windows (scheduled by beat every minute, see classroom/celery.py)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def close_due_work() -> int:
    """Auto-submit attempts whose deadline + grace has passed, with the answers saved so far."""
    return services.attempts_auto_submit_due()
