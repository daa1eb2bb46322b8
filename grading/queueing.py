"""Putting grading work on the broker without ever failing the caller.

A student's submit must succeed when the broker is down: the attempt is in the database, the
error is logged, and the periodic sweeper (`grading.tasks.sweep_ungraded`) enqueues it later.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def _send(task_name: str, args: list[Any], what: str) -> bool:
    from classroom.celery import app

    try:
        app.send_task(task_name, args=args, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure; the sweeper finds the work again
        logger.error("enqueue failed %s error=%s: %s", what, type(exc).__name__, exc)
        return False
    return True


def enqueue_attempt_grading(attempt_id: int) -> bool:
    return _send("grading.tasks.grade_attempt", [attempt_id], f"attempt={attempt_id}")


def enqueue_job(job_id: int) -> bool:
    return _send("grading.tasks.grade_job", [job_id], f"job={job_id}")
