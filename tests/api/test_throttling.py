"""Throttling: token creation (scope "login") and answer saving (scope "answers") answer 429 with
Retry-After in the one error format once over their rate."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from classroom.caches import cache_config
from common.client_ip import client_ip

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


def test_a_new_x_forwarded_for_does_not_reset_the_token_throttle(world: World, low_rates, settings) -> None:
    """Without a trusted proxy the header is anyone's to write, so it must not name the client."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    client = world.client("anonymous")
    body = {"username": world.scripter.username, "password": "wrong"}
    codes = [
        client.post("/api/v1/auth/token", body, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(4)
    ]
    assert codes == [400, 400, 400, 429]


def test_behind_a_trusted_proxy_the_throttle_counts_the_address_the_proxy_saw(
    world: World, low_rates, settings
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = world.client("anonymous")
    body = {"username": world.scripter.username, "password": "wrong"}

    def post(forwarded: str) -> int:
        return client.post(
            "/api/v1/auth/token", body, format="json", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    assert [post(f"192.0.2.{i}, 198.51.100.7") for i in range(4)] == [400, 400, 400, 429]
    assert post("198.51.100.8") == 400  # another client behind the same proxy has its own count


def test_throttle_counts_are_shared_across_processes(world: World, low_rates, settings) -> None:
    """Another process (another gunicorn worker) spends the client's allowance in the shared
    cache; this process then refuses the client at once. A per-process cache would not see it."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.test import RequestFactory
        from rest_framework.request import Request
        from rest_framework.throttling import ScopedRateThrottle

        class View:
            throttle_scope = "login"

        ScopedRateThrottle.THROTTLE_RATES = {"login": "3/min"}
        request = Request(RequestFactory().post("/api/v1/auth/token", REMOTE_ADDR="127.0.0.1"))
        print([ScopedRateThrottle().allow_request(request, View()) for _ in range(3)])
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "classroom.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[True, True, True]"
    refused = world.client("anonymous").post(
        "/api/v1/auth/token", {"username": world.scripter.username, "password": PASSWORD}, format="json"
    )
    assert refused.status_code == 429


@pytest.mark.parametrize(
    "count, remote, forwarded",
    [
        (0, "203.0.113.1", None),
        (0, "203.0.113.1", "198.51.100.1"),
        (1, "10.0.0.2", None),
        (1, "10.0.0.2", "198.51.100.1"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.1"),
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9"),
        (2, "10.0.0.2", "198.51.100.1"),  # fewer entries than proxies: the leftmost
        (3, "10.0.0.2", " 198.51.100.1 ,10.0.0.8, 10.0.0.9"),
    ],
)
def test_lockout_and_throttles_agree_on_the_client_address(count, remote, forwarded, settings, rf) -> None:
    """One rule for both: axes' address (common.client_ip) is DRF's NUM_PROXIES address."""
    from axes.helpers import get_client_ip_address as axes_client_ip  # needs the app loaded

    settings.TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = rf.get("/", REMOTE_ADDR=remote, **extra)
    assert client_ip(request) == BaseThrottle().get_ident(request)
    assert axes_client_ip(request) == client_ip(request)


def test_settings_drive_drf_from_the_one_proxy_variable(settings) -> None:
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "common.client_ip.client_ip"


@pytest.mark.parametrize(
    "cache_url, broker, backend, location",
    [
        ("", "filesystem://", "django.core.cache.backends.locmem.LocMemCache", ""),
        ("", "redis://redis:6379/0", "django.core.cache.backends.redis.RedisCache", "redis://redis:6379/1"),
        ("", "redis://:pw@redis:6379", "django.core.cache.backends.redis.RedisCache", "redis://:pw@redis:6379/1"),
        ("redis://cache:6379/5", "redis://redis:6379/0", "django.core.cache.backends.redis.RedisCache", None),
        ("locmemcache://", "redis://redis:6379/0", "django.core.cache.backends.locmem.LocMemCache", ""),
    ],
)
def test_the_cache_is_redis_whenever_there_is_one(cache_url, broker, backend, location) -> None:
    config = cache_config(cache_url, broker)
    assert config["BACKEND"] == backend
    assert config["LOCATION"] == (cache_url if location is None else location)
