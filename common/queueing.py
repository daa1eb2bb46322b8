"""Putting work on the broker by task name, without ever failing the caller or making it wait.

A student's submit must succeed, and stay fast, when the broker is down, unreachable or frozen:
the work is in the database, the error is logged, and a periodic sweeper finds it again. Sending
by name through Celery's current app means the sender imports neither the task's app nor the
site package (`classroom.celery` configures the app; every process that sends has loaded it).

The caller never talks to the broker itself. Each process has one publisher thread with its own
broker connection (short connect and socket timeouts, so it cannot hang on a frozen broker); the
caller hands it the message and waits at most `ENQUEUE_TIMEOUT` seconds (0.5 by default) for it to
be published. A message not published by then is given up and logged as `enqueue failed` (the
sweeper sends the work again); if the thread was already sending it, it may still arrive, which
is harmless: every task is idempotent. A broker that refuses connections fails at once; a frozen
one (a paused container, a partition) costs each request at most the bound, and requests never
queue up behind one another on a dead connection.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitExpired
from typing import Any

from celery import Celery, current_app
from django.conf import settings
from kombu import Connection

logger = logging.getLogger(__name__)

ENQUEUE_TIMEOUT_DEFAULT = 0.5


def enqueue_timeout() -> float:
    return float(getattr(settings, "ENQUEUE_TIMEOUT", ENQUEUE_TIMEOUT_DEFAULT))


class Publisher:
    """One thread per process that publishes, so that callers can stop waiting for it."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="enqueue")
        self._connection: Connection | None = None
        self._url: str | None = None

    @property
    def forked(self) -> bool:
        """A pool process forked from a sender inherits the object but not the thread."""
        return self._pid != os.getpid()

    def _connect(self, app: Celery) -> Connection:
        url = app.conf.broker_write_url or app.conf.broker_url
        if self._connection is not None and self._url != url:  # the app was pointed elsewhere (tests)
            self._drop()
        if self._connection is None:
            timeout = enqueue_timeout()
            options = dict(app.conf.broker_transport_options or {})
            if str(url or "").startswith(("redis://", "rediss://")):
                options.update(socket_connect_timeout=timeout, socket_timeout=max(timeout, 1.0))
            options["max_retries"] = 0  # a refused connection fails at once; the caller does not retry
            self._connection = app.connection_for_write(connect_timeout=timeout, transport_options=options)
            self._url = url
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.release()
            self._connection = None

    def _publish(self, app: Celery, task_name: str, args: list[Any]) -> None:
        try:
            app.send_task(task_name, args=args, retry=False, connection=self._connect(app))
        except BaseException:
            self._drop()  # reconnect next time: the connection may be broken
            raise

    def send(self, task_name: str, args: list[Any]) -> Future[None]:
        # Celery's current app is per thread: the caller's, handed to the publisher's thread.
        app: Celery = current_app._get_current_object()  # type: ignore[attr-defined]
        return self._executor.submit(self._publish, app, task_name, args)


_publisher: Publisher | None = None
_publisher_lock = threading.Lock()


def _the_publisher() -> Publisher:
    global _publisher
    with _publisher_lock:
        if _publisher is None or _publisher.forked:
            _publisher = Publisher()
        return _publisher


def send_task(task_name: str, args: list[Any], what: str) -> bool:
    """Send `task_name(*args)` within `ENQUEUE_TIMEOUT`; on any broker failure, or none in time,
    log it (naming `what`) and return False: the work stays in the database for the sweeper."""
    timeout = enqueue_timeout()
    future = _the_publisher().send(task_name, args)
    try:
        future.result(timeout=timeout)
    except WaitExpired:
        # Not started yet (an earlier publish holds the thread): dropped. Already running: it ends,
        # sent or failed, within the connection's own timeouts.
        future.cancel()
        logger.error("enqueue failed %s error=TimeoutError: the broker did not take it within %.1fs", what, timeout)
        return False
    except Exception as exc:  # noqa: BLE001 - any broker failure; the sweeper finds the work again
        logger.error("enqueue failed %s error=%s: %s", what, type(exc).__name__, exc)
        return False
    return True
