"""Names and Role Provisioning Services against the platform simulator: the instructor syncs the
section's roster from the LMS; roles changed in the LMS change here (on a sync and on a launch)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from lti_tool.models import LtiUser

from classes.models import Enrollment
from lti.models import SectionLink

from .conftest import launch
from .platform import NRPS_SCOPE, ROLES, Platform

pytestmark = pytest.mark.django_db


def member(sub: str, role: str, status: str = "Active") -> dict[str, object]:
    return {"user_id": sub, "roles": ROLES[role], "status": status, "name": f"Person {sub}", "email": f"{sub}@lms.test"}


def role_of(section, sub: str) -> str | None:
    user = LtiUser.objects.get(sub=sub).auth_user
    return Enrollment.objects.filter(section=section, user=user).values_list("role", flat=True).first()


def opened(platform: Platform, *subs_roles: tuple[str, str]):
    """The instructor opens the course; then these people launch once each."""
    teacher = Client()
    assert launch(teacher, platform, role="instructor", sub="teacher-1")[0].status_code == 302
    for sub, role in subs_roles:
        assert launch(Client(), platform, role=role, sub=sub)[0].status_code == 302
    return teacher, SectionLink.objects.select_related("section").get().section


def test_a_sync_adds_updates_and_leaves_dropped_students_enrolled(trusting):
    teacher, section = opened(trusting, ("student-1", "student"), ("ta-1", "student"))
    trusting.memberships = [
        member("teacher-1", "instructor"),
        member("student-1", "student", status="Inactive"),  # dropped the course
        member("ta-1", "assistant"),  # made a teaching assistant in the LMS
        member("new-1", "student"),  # never launched
        member("parent-1", "mentor"),  # no place here
    ]

    response = teacher.post(reverse("lti:roster_sync", args=[section.pk]), follow=True)

    page = response.content.decode()
    assert "1 added, 1 with a new role, 1 no longer active there" in page
    assert "Left enrolled" in page  # named, not taken out
    assert role_of(section, "new-1") == Enrollment.Role.STUDENT
    assert LtiUser.objects.get(sub="new-1").auth_user.email == "new-1@lms.test"
    assert role_of(section, "ta-1") == Enrollment.Role.ASSISTANT
    assert role_of(section, "student-1") == Enrollment.Role.STUDENT  # kept, with their work
    assert not LtiUser.objects.filter(sub="parent-1", auth_user__isnull=False).exists()
    fetched = [r for r in trusting.received if r.path == "/memberships"]
    assert len(fetched) == 1 and fetched[0].headers["Authorization"].startswith("Bearer ")
    assert any(NRPS_SCOPE in scopes for scopes in trusting.tokens.values())


def test_a_sync_twice_changes_nothing_the_second_time(trusting):
    teacher, section = opened(trusting)
    trusting.memberships = [member("teacher-1", "instructor"), member("new-1", "student")]
    teacher.post(reverse("lti:roster_sync", args=[section.pk]))

    page = teacher.post(reverse("lti:roster_sync", args=[section.pk]), follow=True).content.decode()
    assert "0 added, 0 with a new role, 0 no longer active there" in page
    assert Enrollment.objects.filter(section=section).count() == 2


def test_only_the_section_s_instructors_sync_its_roster(trusting):
    _teacher, section = opened(trusting, ("student-1", "student"))
    trusting.memberships = [member("new-1", "student")]
    student = Client()
    student.force_login(LtiUser.objects.get(sub="student-1").auth_user)

    student.post(reverse("lti:roster_sync", args=[section.pk]))
    assert not LtiUser.objects.filter(sub="new-1").exists()
    assert not [r for r in trusting.received if r.path == "/memberships"]


def test_the_section_page_offers_the_sync_for_an_lms_course_only(trusting, section, instructor):
    teacher, linked = opened(trusting)
    assert "Sync the roster from the LMS" in teacher.get(reverse("teach:section", args=[linked.pk])).content.decode()
    other = Client()
    other.force_login(instructor)
    assert "Sync the roster" not in other.get(reverse("teach:section", args=[section.pk])).content.decode()


def test_an_lms_that_does_not_answer_is_reported(trusting):
    teacher, section = opened(trusting)
    trusting.tool_keyset = {"keys": []}  # the LMS no longer trusts the tool's key: 401 on the token

    page = teacher.post(reverse("lti:roster_sync", args=[section.pk]), follow=True).content.decode()
    assert "The LMS did not give the roster" in page and "HTTP 401" in page


def test_a_role_changed_in_the_lms_changes_on_the_next_launch(trusting):
    _teacher, section = opened(trusting, ("student-1", "student"))
    assert role_of(section, "student-1") == Enrollment.Role.STUDENT

    response, _form = launch(Client(), trusting, role="assistant", sub="student-1")
    assert response.status_code == 302 and response["Location"] == reverse("teach:section", args=[section.pk])
    assert role_of(section, "student-1") == Enrollment.Role.ASSISTANT


def test_the_last_instructor_is_not_demoted_by_a_launch(trusting):
    _teacher, section = opened(trusting)
    response, _form = launch(Client(), trusting, role="student", sub="teacher-1")  # e.g. Moodle's "switch role"
    assert response.status_code == 302
    assert role_of(section, "teacher-1") == Enrollment.Role.INSTRUCTOR
