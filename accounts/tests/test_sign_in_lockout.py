"""Sign-in lockout (django-axes) on every sign-in path: the portal, the Django admin, the API token.

After LOGIN_FAILURE_LIMIT (5) wrong passwords for one username from one client address, that
pair is refused for LOGIN_LOCKOUT_MINUTES, even with the right password, with a 429 and
Retry-After. The client address is `common.client_ip.client_ip`: X-Forwarded-For counts only
behind TRUSTED_PROXY_COUNT proxies, so a new header does not make a new client.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory

PASSWORD = "pass-word-123"  # UserFactory's
LIMIT = 5


@pytest.fixture
def person(db):
    return UserFactory(is_staff=True)  # staff, so the admin sign-in would let them in


def _portal(client: Client, username: str, password: str, **extra: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def _admin(client: Client, username: str, password: str, **extra: str):
    return client.post(reverse("admin:login"), {"username": username, "password": password, "next": "/admin/"}, **extra)


def _api(client: Client, username: str, password: str, **extra: str):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json", **extra
    )


SIGN_INS: dict[str, Callable] = {"portal": _portal, "admin": _admin, "api": _api}
REFUSED = {"portal": 200, "admin": 200, "api": 400}  # a wrong password, before the lockout
SIGNED_IN = {"portal": 302, "admin": 302, "api": 201}


@pytest.mark.parametrize("path", SIGN_INS)
def test_every_sign_in_path_locks_out_after_the_failure_limit(path, person, settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    sign_in = SIGN_INS[path]
    client = Client()
    codes = [sign_in(client, person.username, "wrong").status_code for _ in range(LIMIT)]
    assert codes == [REFUSED[path]] * (LIMIT - 1) + [429]  # the 5th failure locks

    locked = sign_in(client, person.username, PASSWORD)  # the right password, too late
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    if path == "api":
        error = locked.json()["error"]
        assert error["code"] == "locked_out" and error["retry_after"] == 900 and "15 minutes" in error["message"]
    else:
        assert "Try again in 15 minutes" in locked.content.decode()


@pytest.mark.parametrize("path", SIGN_INS)
def test_the_right_password_before_the_limit_signs_in_and_resets_the_count(path, person):
    sign_in = SIGN_INS[path]
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, person.username, "wrong")
    assert sign_in(client, person.username, PASSWORD).status_code == SIGNED_IN[path]
    for _ in range(LIMIT - 1):  # counted from zero again
        assert sign_in(Client(), person.username, "wrong").status_code == REFUSED[path]


def test_the_count_is_shared_by_every_path_and_client(person):
    """Two failures on the portal, two on the admin, one on the API: five, from one address."""
    _portal(Client(), person.username, "wrong")
    _portal(Client(), person.username, "wrong")
    _admin(Client(), person.username, "wrong")
    _admin(Client(), person.username, "wrong")
    assert _api(Client(), person.username, "wrong").status_code == 429
    assert _portal(Client(), person.username, PASSWORD).status_code == 429


@pytest.mark.parametrize("path", SIGN_INS)
def test_a_new_x_forwarded_for_does_not_reset_the_count(path, person, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0  # the default: the header is not believed
    sign_in = SIGN_INS[path]
    codes = [
        sign_in(Client(), person.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(LIMIT)
    ]
    assert codes[-1] == 429
    spoofed = sign_in(Client(), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(person, settings):
    """One proxy of ours appends the address it saw; what the client wrote before it is ignored."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for i in range(LIMIT):
        _portal(Client(), person.username, "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7", **proxy)
    locked = _portal(Client(), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", **proxy)
    assert locked.status_code == 429
    # Another student behind the same proxy, from another address, is not locked out.
    other = _portal(Client(), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8", **proxy)
    assert other.status_code == 302


def test_a_classmate_cannot_lock_someone_out_from_another_address(person):
    """The lock is per (username, address): wrong passwords typed elsewhere do not lock the owner."""
    for _ in range(LIMIT):
        _portal(Client(REMOTE_ADDR="198.51.100.20"), person.username, "wrong")
    assert _portal(Client(REMOTE_ADDR="198.51.100.20"), person.username, PASSWORD).status_code == 429
    assert _portal(Client(REMOTE_ADDR="198.51.100.21"), person.username, PASSWORD).status_code == 302
