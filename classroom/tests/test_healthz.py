from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from classroom.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_healthz_reports_503_and_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setitem(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"] == {"database": "ok", "broker": "unreachable"}
    assert "broker" in body["errors"]


REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


def _broker_down(monkeypatch) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")


def test_anonymous_remote_callers_get_only_ok_or_failing_per_check(client, monkeypatch):
    _broker_down(monkeypatch)
    response = client.get("/healthz", **REMOTE)
    body = response.json()
    assert response.status_code == 503
    assert body == {"status": "unavailable", "checks": {"database": "ok", "broker": "unreachable"}}
    assert "127.0.0.1:1" not in response.content.decode() and "Error" not in response.content.decode()


def test_a_forged_x_forwarded_for_does_not_make_a_remote_caller_local(client, monkeypatch, settings):
    _broker_down(monkeypatch)
    assert settings.TRUSTED_PROXY_COUNT == 0
    body = client.get("/healthz", HTTP_X_FORWARDED_FOR="127.0.0.1", **REMOTE).json()
    assert "errors" not in body


def test_behind_a_proxy_on_this_machine_the_client_decides_not_the_proxy(client, monkeypatch, settings):
    """nginx on the same host connects from 127.0.0.1: the remote client it forwards is not local."""
    _broker_down(monkeypatch)
    settings.TRUSTED_PROXY_COUNT = 1
    body = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").json()
    assert "errors" not in body


def test_local_callers_and_staff_see_the_exception_text(client, monkeypatch):
    _broker_down(monkeypatch)
    local = client.get("/healthz", REMOTE_ADDR="127.0.0.1").json()  # the container's own health check
    assert "127.0.0.1:1" in local["errors"]["broker"] or "Error" in local["errors"]["broker"]
    client.force_login(UserFactory(is_staff=True))
    staff = client.get("/healthz", **REMOTE).json()
    assert staff["errors"]["broker"] == local["errors"]["broker"]


def test_signed_in_non_staff_get_no_details(client, monkeypatch):
    _broker_down(monkeypatch)
    client.force_login(UserFactory())
    assert "errors" not in client.get("/healthz", **REMOTE).json()
