from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.tests.factories import UserFactory
from classes import access
from classes.tests.factories import SectionFactory

pytestmark = pytest.mark.django_db


def test_roles_are_per_section(section, instructor, assistant, student):
    other = SectionFactory(course=section.course)
    assert access.is_instructor_of(instructor, section.pk) and not access.is_instructor_of(instructor, other.pk)
    assert access.is_staff_of(assistant, section.pk) and not access.is_instructor_of(assistant, section.pk)
    assert access.is_student_of(student, section.pk) and not access.is_staff_of(student, section.pk)
    assert access.is_staff_of_course(assistant, section.course_id)
    assert not access.is_staff_of_course(student, section.course_id)


def test_outsiders_and_anonymous_have_no_role(section):
    assert access.section_role(AnonymousUser(), section.pk) is None
    assert access.section_role(UserFactory(), section.pk) is None
    assert not access.sections_of(AnonymousUser()).exists()


def test_superuser_is_staff_everywhere(section):
    admin = UserFactory(is_superuser=True)
    assert access.is_instructor_of(admin, section.pk)
    assert list(access.sections_of(admin)) == [section]


def test_sections_of_filters_by_role(section, assistant):
    assert list(access.sections_of(assistant, access.STAFF_ROLES)) == [section]
    assert not access.sections_of(assistant, (access.Role.STUDENT,)).exists()
