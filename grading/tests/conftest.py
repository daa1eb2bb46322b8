"""Fixtures shared by grading's worker tests."""

from __future__ import annotations

import shutil

import pytest
from django.db import connection

from . import probes
from .processes import RedisServer


@pytest.fixture
def broker(tmp_path):
    """A private redis-server on a free loopback port, as the Celery app's broker for the test."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (apt-get install redis-server)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: worker processes must share the test database")
    server = RedisServer(log_dir=tmp_path).start()
    try:
        with probes.app_broker(server.url):
            yield server
    finally:
        server.stop()
