"""API tokens: they expire, die with a password change (every path), and their owner lists and
revokes them (API and the portal's settings page). Keys are stored only as digests."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"  # UserFactory's
NEW_PASSWORD = "a-new-long-passphrase-42"


@pytest.fixture
def person():
    return UserFactory()


def _api(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _works(key: str) -> bool:
    return _api(key).get("/api/v1/me").status_code == 200


def test_each_token_request_makes_a_new_token_whose_key_is_not_stored(person):
    client = _api()
    body = {"username": person.username, "password": PASSWORD, "name": "gradebook sync"}
    first, second = (client.post("/api/v1/auth/token", body, format="json") for _ in range(2))
    assert first.status_code == second.status_code == 201
    one, two = first.json(), second.json()
    assert one["token"] != two["token"] and one["name"] == "gradebook sync"
    stored = ApiToken.objects.get(pk=one["id"])
    assert stored.key_digest == hashlib.sha256(one["token"].encode()).hexdigest()
    assert not ApiToken.objects.filter(key_digest=one["token"]).exists()
    assert _works(one["token"]) and _works(two["token"])


def test_a_token_expires_after_api_token_ttl_hours(person, settings):
    settings.API_TOKEN_TTL_HOURS = 2
    issued = services.token_create(user=person, now=timezone.now() - timedelta(hours=2, seconds=1))
    assert issued.token.expires_at - issued.token.created_at == timedelta(hours=2)
    response = _api(issued.key).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Token expired")
    assert not ApiToken.objects.filter(pk=issued.token.pk).exists()
    fresh = services.token_create(user=person)
    assert _works(fresh.key)


def test_the_default_lifetime_is_thirty_days(person, settings):
    assert settings.API_TOKEN_TTL_HOURS == 720
    token = services.token_create(user=person).token
    assert token.expires_at - token.created_at == timedelta(days=30)


def test_changing_the_password_on_the_portal_revokes_every_token(person):
    keys = [services.token_create(user=person).key for _ in range(2)]
    client = Client()
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=person).exists()
    assert not any(_works(key) for key in keys)
    assert client.get(reverse("preferences")).status_code == 200  # the session that changed it stays


def test_changing_the_password_in_the_admin_revokes_every_token(person):
    key = services.token_create(user=person).key
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = admin.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302, response.content[:500]
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=person).exists() and not _works(key)


def test_disabling_password_sign_in_in_the_admin_revokes_every_token(person):
    key = services.token_create(user=person).key
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    response = admin.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302, response.content[:500]
    person.refresh_from_db()
    assert not person.has_usable_password() and not _works(key)


def test_the_password_service_revokes_every_token(person):
    key = services.token_create(user=person).key
    services.user_password_set(user=person, password=NEW_PASSWORD)
    assert not ApiToken.objects.filter(user=person).exists() and not _works(key)


def test_a_password_changed_any_other_way_stops_the_token_too(person, monkeypatch):
    """`manage.py changepassword` and the shell do not call the service: the token still dies."""
    key = services.token_create(user=person).key
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", person.username, stdout=StringIO())
    assert ApiToken.objects.filter(user=person).exists()  # not deleted by the command ...
    response = _api(key).get("/api/v1/me")
    assert response.status_code == 401 and "password changed" in response.json()["error"]["message"]
    assert not ApiToken.objects.filter(user=person).exists()  # ... but refused, and gone now


def test_tokens_are_listed_without_their_keys(person):
    old = services.token_create(user=person, now=timezone.now() - timedelta(hours=1))
    current = services.token_create(user=person)
    services.token_create(user=UserFactory())  # someone else's
    body = _api(current.key).get("/api/v1/auth/tokens").json()
    listed = body["results"]
    assert [t["id"] for t in listed] == [current.token.pk, old.token.pk]
    assert [t["current"] for t in listed] == [True, False]
    assert listed[0]["prefix"] == current.key[:8] and current.key not in str(body)
    assert set(listed[0]) == {"id", "name", "prefix", "created", "expires", "last_used", "current"}


def test_a_person_revokes_one_of_their_tokens_by_id_and_no_one_elses(person):
    keep, drop = services.token_create(user=person), services.token_create(user=person)
    other = services.token_create(user=UserFactory())
    client = _api(keep.key)
    assert client.delete(f"/api/v1/auth/tokens/{other.token.pk}").status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{drop.token.pk}").status_code == 204
    assert _works(keep.key) and not _works(drop.key) and _works(other.key)


def test_delete_auth_token_revokes_only_the_token_sent(person):
    keep, drop = services.token_create(user=person), services.token_create(user=person)
    assert _api(drop.key).delete("/api/v1/auth/token").status_code == 204
    assert _works(keep.key) and not _works(drop.key)


def test_a_person_may_hold_at_most_twenty_tokens(person):
    for _ in range(services.MAX_TOKENS_PER_USER):
        services.token_create(user=person)
    response = _api().post("/api/v1/auth/token", {"username": person.username, "password": PASSWORD}, format="json")
    assert response.status_code == 400 and "revoke one" in response.json()["error"]["message"]


def test_the_settings_page_lists_the_tokens_and_revokes_them(person):
    first, second = services.token_create(user=person, name="sync"), services.token_create(user=person)
    client = Client()
    client.force_login(person)
    page = client.get(reverse("preferences")).content.decode()
    assert f"{first.key[:8]}…" in page and "sync" in page and first.key not in page
    client.post(reverse("token_revoke", args=[first.token.pk]))
    assert not _works(first.key) and _works(second.key)
    client.post(reverse("tokens_revoke_all"))
    assert not _works(second.key)
    assert "You have no API tokens." in client.get(reverse("preferences")).content.decode()


def test_the_settings_page_cannot_revoke_someone_elses_token(person):
    other = services.token_create(user=UserFactory())
    client = Client()
    client.force_login(person)
    client.post(reverse("token_revoke", args=[other.token.pk]))
    assert _works(other.key)
