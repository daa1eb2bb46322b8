"""An LMS on loopback (`platform.Platform`) registered with Classroom as an administrator would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from bank.tests.factories import CourseFactory
from lti.models import PlatformSettings

from .platform import Platform

LAUNCH_URL = "http://testserver/lti/launch/"


@pytest.fixture(scope="session")
def platform_key() -> JWK:
    return JWK.generate(kty="RSA", size=2048, kid="platform-key-1")


@pytest.fixture(scope="session")
def tool_key() -> JWK:
    return JWK.generate(kty="RSA", size=2048)


@pytest.fixture
def platform(platform_key: JWK) -> Iterator[Platform]:
    lms = Platform(key=platform_key).start()
    yield lms
    lms.stop()


@pytest.fixture
def registration(db, platform: Platform, tool_key: JWK) -> LtiRegistration:
    Key.objects.create_from_jwk(tool_key)  # the tool's own key (manage.py rotate_keys makes one)
    registration = LtiRegistration.objects.create(
        name="Test LMS",
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_url=platform.auth_url,
        token_url=platform.token_url,
        keyset_url=platform.keyset_url,
    )
    LtiDeployment.objects.create(registration=registration, deployment_id=platform.deployment_id, is_active=True)
    PlatformSettings.objects.create(registration=registration, course=CourseFactory(), time_zone="Asia/Shanghai")
    return registration


@pytest.fixture
def trusting(platform: Platform, registration: LtiRegistration) -> Platform:
    """The LMS knows the tool's key set (pasted as JSON: the tests without a live server)."""
    platform.tool_keyset = Key.objects.as_jwks()
    return platform


def authorize(client: Client, platform: Platform, **claims: Any) -> dict[str, str]:
    """The LMS starts the tool's login, the tool sends the browser to the LMS's auth endpoint,
    which answers with the form that posts the signed id_token to the launch URL."""
    platform.next_claims = claims
    start = client.get(
        reverse("lti:login"),
        {
            "iss": platform.issuer,
            "client_id": platform.client_id,
            "login_hint": claims.get("sub", "lms-user-1"),
            "lti_message_hint": "resource-1",
            "target_link_uri": LAUNCH_URL,
            "lti_deployment_id": platform.deployment_id,
            "lti1p3_new_window": "1",  # skip the cookie-check page (a browser in a new window)
        },
    )
    assert start.status_code == 302, start.content
    form = platform.authorize(start["Location"])
    assert form["action"] == LAUNCH_URL
    return form


def launch(client: Client, platform: Platform, **claims: Any):
    """The whole round trip a browser makes; the launch's response and the form it posted."""
    form = authorize(client, platform, **claims)
    return client.post(reverse("lti:launch"), {"id_token": form["id_token"], "state": form["state"]}), form
