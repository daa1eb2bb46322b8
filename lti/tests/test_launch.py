"""LTI 1.3 launches from a platform over real HTTP: the LMS user becomes a platform user, the LMS
course a section, LMS roles section roles; an activity opens its assignment; hostile launches
are refused with a page that says why."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiUser

from classes.models import Enrollment
from lti.models import SectionLink
from quizzes.tests.factories import AssignmentFactory

from .conftest import LAUNCH_URL, authorize, launch
from .platform import LTI, Platform

pytestmark = pytest.mark.django_db


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _section_by_instructor(platform: Platform) -> SectionLink:
    response, _form = launch(Client(), platform, role="instructor", sub="teacher-1")
    assert response.status_code == 302
    return SectionLink.objects.select_related("section").get()


def test_the_tool_publishes_its_key_set(client, registration):
    keys = client.get(reverse("lti:jwks")).json()["keys"]
    assert keys and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]


def test_an_instructor_s_first_launch_opens_the_course_as_a_section(registration, platform):
    client = Client()
    response, _form = launch(client, platform, role="instructor", sub="teacher-1")
    link = SectionLink.objects.select_related("section").get()
    assert response["Location"] == reverse("teach:section", args=[link.section.pk])
    assert link.section.name == "Deep Learning 2027" and link.section.time_zone == "Asia/Shanghai"
    user = LtiUser.objects.get(sub="teacher-1").auth_user
    assert Enrollment.objects.get(section=link.section, user=user).role == Enrollment.Role.INSTRUCTOR
    assert _signed_in(client) and not user.has_usable_password()


def test_a_student_launch_into_an_assignment_opens_it_in_the_portal(registration, platform):
    section = _section_by_instructor(platform).section
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    client = Client()
    custom = {"assignment_id": str(assignment.pk)}
    response, _form = launch(client, platform, role="student", sub="student-1", **{LTI + "custom": custom})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:assignment_start", args=[assignment.pk])
    assert _signed_in(client)
    page = client.get(response["Location"])
    assert page.status_code == 200
    user = LtiUser.objects.get(sub="student-1").auth_user
    assert user.display_name == "Zhang Wei" and user.email == "student-1@lms.example.edu"
    assert Enrollment.objects.get(section=section, user=user).role == Enrollment.Role.STUDENT

    again, _form = launch(Client(), platform, role="student", sub="student-1", **{LTI + "custom": {}})
    assert again["Location"] == response["Location"]  # the activity stays linked; the same account
    assert LtiUser.objects.get(sub="student-1").auth_user == user


def test_a_teaching_assistant_becomes_an_assistant(registration, platform):
    section = _section_by_instructor(platform).section
    launch(Client(), platform, role="assistant", sub="ta-1")
    user = LtiUser.objects.get(sub="ta-1").auth_user
    assert Enrollment.objects.get(section=section, user=user).role == Enrollment.Role.ASSISTANT


def test_a_student_before_the_instructor_is_told_to_wait(registration, platform):
    response, _form = launch(Client(), platform, role="student")
    assert response.status_code == 403 and "not opened this course" in response.content.decode()


def test_a_role_without_a_place_is_refused(registration, platform):
    _section_by_instructor(platform)
    response, _form = launch(Client(), platform, role="mentor", sub="parent-1")
    assert response.status_code == 403 and "LMS role" in response.content.decode()


def test_an_assignment_of_another_section_is_refused(registration, platform):
    _section_by_instructor(platform)
    other = AssignmentFactory()
    response, _form = launch(Client(), platform, role="student", **{LTI + "custom": {"assignment_id": str(other.pk)}})
    assert response.status_code == 403 and "another class" in response.content.decode()


# --- hostile launches --------------------------------------------------------------------------------


def _refused(response, status: int, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == status, body
    assert text in body and "The launch did not work" in body


def test_a_forged_signature_is_refused(registration, platform):
    platform.sign_with = JWK.generate(kty="RSA", size=2048)
    client = Client()
    response, _form = launch(client, platform)
    _refused(response, 400, "could not verify")
    assert not _signed_in(client)


def test_a_replayed_launch_is_refused(registration, platform):
    _section_by_instructor(platform)
    client = Client()
    first, form = launch(client, platform, role="student")
    assert first.status_code == 302
    replay = client.post(reverse("lti:launch"), {"id_token": form["id_token"], "state": form["state"]})
    _refused(replay, 403, "already used")


def test_an_expired_token_is_refused(registration, platform):
    past = int(time.time()) - 3600
    response, _form = launch(Client(), platform, iat=past - 60, exp=past)
    _refused(response, 400, "could not verify")


def test_a_token_without_expiry_is_refused(registration, platform):
    _section_by_instructor(platform)
    response, _form = launch(Client(), platform, exp=None)
    _refused(response, 403, "issue and expiry times")


def test_a_token_issued_long_ago_is_refused(registration, platform):
    _section_by_instructor(platform)
    now = int(time.time())
    response, _form = launch(Client(), platform, iat=now - 3600, exp=now + 60)
    _refused(response, 403, "too old")


def test_an_unknown_deployment_is_refused(registration, platform):
    response, _form = launch(Client(), platform, **{LTI + "deployment_id": "someone-else"})
    _refused(response, 403, "someone-else")


def test_a_token_for_another_tool_is_refused(registration, platform):
    response, _form = launch(Client(), platform, aud="another-tool")
    _refused(response, 400, "could not verify")


def test_a_launch_without_the_login_s_state_is_refused(registration, platform):
    form = authorize(Client(), platform)
    stranger = Client()  # no state cookie: a launch posted from elsewhere
    response = stranger.post(reverse("lti:launch"), {"id_token": form["id_token"], "state": form["state"]})
    _refused(response, 400, "could not verify")


def test_a_login_from_an_unregistered_platform_is_refused(registration):
    response = Client().get(
        reverse("lti:login"),
        {"iss": "https://unknown.example", "login_hint": "x", "target_link_uri": LAUNCH_URL, "lti1p3_new_window": "1"},
    )
    _refused(response, 400, "not registered")


def test_a_typed_launch_url_is_refused_with_a_page(client):
    _refused(client.get(reverse("lti:launch")), 400, "Open this activity from your LMS")


def test_a_login_without_a_target_is_refused_with_a_page(registration, platform):
    response = Client().get(reverse("lti:login"), {"iss": platform.issuer, "login_hint": "x"})
    _refused(response, 400, "incomplete login")


def test_a_site_without_a_key_says_what_to_do(registration, platform):
    Key.objects.all().delete()
    response = Client().get(
        reverse("lti:login"),
        {
            "iss": platform.issuer,
            "client_id": platform.client_id,
            "login_hint": "x",
            "target_link_uri": LAUNCH_URL,
            "lti1p3_new_window": "1",
        },
    )
    _refused(response, 503, "rotate_keys")
