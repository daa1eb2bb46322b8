"""Throttling: token creation (scope "login") and answer saving (scope "answers") answer 429 with
Retry-After in the one error format once over their rate."""

from __future__ import annotations

import pytest
from rest_framework.throttling import ScopedRateThrottle

from .conftest import PASSWORD, World


@pytest.fixture
def low_rates(monkeypatch):
    # DRF reads the rates into the class when it is imported; overriding settings would not reach it.
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min", "answers": "5/min"})


def test_token_requests_are_throttled_per_client(world: World, low_rates) -> None:
    client = world.client("anonymous")
    body = {"username": world.scripter.username, "password": "wrong"}
    codes = [client.post("/api/v1/auth/token", body, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    refused = client.post(
        "/api/v1/auth/token", {"username": world.scripter.username, "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 429  # even the right password, until the window passes
    assert int(refused["Retry-After"]) > 0
    error = refused.json()["error"]
    assert error["code"] == "throttled" and error["retry_after"] > 0 and "available in" in error["message"]


def test_answer_saving_is_throttled(world: World, low_rates) -> None:
    client = world.client("student")
    url = f"/api/v1/attempts/{world.open_attempt.pk}/answers/{world.text_q.pk}"
    codes = [client.put(url, {"response": f"draft {i}"}, format="json").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_reading_is_not_throttled(world: World, low_rates) -> None:
    client = world.client("student")
    assert {client.get("/api/v1/assignments").status_code for _ in range(10)} == {200}


def test_the_default_rates_are_in_settings(settings) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["login"] == "10/min" and rates["answers"] == "120/min"
