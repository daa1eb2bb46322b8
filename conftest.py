"""Fixtures every test can use: the people of a section, and a real Celery worker."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.utils import translation

from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory
from classroom.celery import app as celery_app


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Tests create many users: a fast hasher instead of PBKDF2 (~0.6 s a password) keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Every test starts in the default language. A request with a language cookie leaves its
    language active in the thread (LocaleMiddleware activates it, nothing deactivates it), so a
    service's messages in the next test depended on which test ran before."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Rate-limit counters live in the shared cache (Redis under `make test`): none carry over
    from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def section(db):
    return SectionFactory()


@pytest.fixture
def instructor(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.INSTRUCTOR).user


@pytest.fixture
def assistant(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.ASSISTANT).user


@pytest.fixture
def student(section):
    return EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user


@pytest.fixture
def celery_worker(transactional_db) -> Iterator[object]:
    """Start a worker consuming both queues; the test's data must be committed (transactional_db)."""
    if celery_app.conf.broker_url.startswith("filesystem://"):
        pytest.skip("needs a real broker: set CELERY_BROKER_URL=redis://... (make test does)")
    celery_app.control.purge()
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        queues=["grading", "default"],
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker
