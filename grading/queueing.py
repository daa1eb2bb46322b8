"""Putting grading work on the broker without ever failing the caller.

A student's submit must succeed when the broker is down: the attempt is in the database, the
error is logged, and the periodic sweeper (`grading.tasks.sweep_ungraded`) enqueues it later.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def enqueue_attempt_grading(attempt_id: int) -> bool:
    from .tasks import grade_attempt

    try:
        grade_attempt.apply_async(args=[attempt_id], retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure; the sweeper will pick the attempt up
        logger.error("could not enqueue grading attempt=%s error=%s: %s", attempt_id, type(exc).__name__, exc)
        return False
    return True
