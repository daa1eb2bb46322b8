"""Periodic work of exam windows (scheduled by beat every minute, see classroom/celery.py)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def close_due_work() -> dict[str, int]:
    """Auto-submit overdue attempts with the answers saved so far; start grading closed windows."""
    attempts, jobs = services.attempts_close_due()
    return {"auto_submitted": attempts, "jobs_started": jobs}
