"""Putting work on the broker by task name, without ever failing the caller.

A student's submit must succeed when the broker is down: the work is in the database, the error
is logged, and a periodic sweeper finds it again. Sending by name through Celery's current app
means the sender imports neither the task's app nor the site package (`classroom.celery`
configures the app; every process that sends has loaded it).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app

logger = logging.getLogger(__name__)


def send_task(task_name: str, args: list[Any], what: str) -> bool:
    """Send `task_name(*args)`; on any broker failure log it (naming `what`) and return False."""
    try:
        current_app.send_task(task_name, args=args, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker failure; the sweeper finds the work again
        logger.error("enqueue failed %s error=%s: %s", what, type(exc).__name__, exc)
        return False
    return True
