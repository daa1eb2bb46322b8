"""Looking at the real broker and database from a test: queued messages, row-lock waits."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg
import redis
from django.db import connection
from kombu import pools

from classroom.celery import app as celery_app
from common.testing import wait_until

QUEUES = ("grading", "default")


def uses_redis() -> bool:
    return celery_app.conf.broker_url.startswith("redis://")


def purge_queues() -> None:
    """Empty the grading and default queues (and forget messages taken by workers that are gone)."""
    if not uses_redis():
        return
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    client.delete(*QUEUES, "unacked", "unacked_index")
    client.close()


def queued_messages(queue: str = "grading") -> list[tuple[str, list]]:
    """(task name, args) of every message waiting in `queue`, oldest first."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    raw = client.lrange(queue, 0, -1)
    client.close()
    messages = []
    for item in reversed(raw):  # kombu LPUSHes and BRPOPs: the list's tail is the oldest
        message = json.loads(item)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        messages.append((message["headers"]["task"], args))
    return messages


def lock_waiters() -> list[dict]:
    """Other sessions of the test database that wait for a lock (a row locked by the test, say)."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing the first statistics snapshot: drop it first.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, client_port, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return [{"pid": pid, "client_port": port, "query": query} for pid, port, query in cursor.fetchall()]


def wait_for_lock_waiters(count: int, timeout: float = 30.0) -> list[dict]:
    assert wait_until(lambda: len(lock_waiters()) >= count, timeout=timeout, interval=0.05), (
        f"expected {count} sessions waiting for a lock, saw {lock_waiters()}"
    )
    return lock_waiters()


@contextmanager
def rows_held(ids: Iterable[int], *, table: str = "quizzes_answer") -> Iterator[None]:
    """Another session holds these rows FOR UPDATE until the block ends, like a slow transaction
    elsewhere: a worker grading them scores its chunk, then waits at its row lock, mid-chunk."""
    from .processes import database_url

    with psycopg.connect(database_url()) as other:
        other.execute(f"SELECT id FROM {table} WHERE id = ANY(%s) FOR UPDATE", [list(ids)])  # noqa: S608
        yield
        other.commit()


@contextmanager
def app_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (what `send_task` uses) at another broker for the block."""
    conf = celery_app.conf
    keys = ("broker_url", "broker_read_url", "broker_write_url")
    before = {key: conf.get(key) for key in keys}

    def drop_connections() -> None:
        # The app caches its connection and producer pools; kombu keeps them in a registry keyed
        # by broker URL. Reset both, so the next send connects to the broker configured now.
        pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    drop_connections()
    conf.update(dict.fromkeys(keys, url))
    try:
        yield
    finally:
        drop_connections()
        conf.update(before)
