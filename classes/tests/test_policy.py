"""The policy's facts and rules, asked directly (the permission matrix asks them through every
page and endpoint: tests/api/test_permission_matrix.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.tests.factories import UserFactory
from bank.tests.factories import QuestionFactory
from classes import policy
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory
from common.errors import NotPermitted, NotVisible
from quizzes.tests.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def test_roles_are_per_section(section, instructor, assistant, student):
    other = SectionFactory(course=section.course)
    assert policy.is_instructor_of(instructor, section.pk) and not policy.is_instructor_of(instructor, other.pk)
    assert policy.is_staff_of(assistant, section.pk) and not policy.is_instructor_of(assistant, section.pk)
    assert policy.section_role(student, section.pk) == Enrollment.Role.STUDENT
    assert not policy.is_staff_of(student, section.pk)


def test_outsiders_and_anonymous_have_no_role(section):
    assert policy.section_role(AnonymousUser(), section.pk) is None
    assert policy.section_role(UserFactory(), section.pk) is None
    assert not policy.sections_of(AnonymousUser()).exists()


def test_superuser_is_staff_everywhere(section):
    admin = UserFactory(is_superuser=True)
    assert policy.is_instructor_of(admin, section.pk)
    assert list(policy.sections_of(admin)) == [section]


def test_sections_of_filters_by_role(section, assistant):
    assert list(policy.sections_staffed(assistant)) == [section]
    assert not policy.sections_of(assistant, (policy.Role.STUDENT,)).exists()


def test_every_rule_is_named_entity_action_and_documented():
    for name, check in policy.RULES.items():
        entity, _, action = name.partition("_")
        assert entity and action, name
        assert check.__doc__, f"{name} says who may do what"


def test_a_refusal_hides_from_outsiders_and_forbids_the_members_who_may_not(section, student, assistant):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    policy.assignment_staff_view(assistant, assignment)
    with pytest.raises(NotPermitted):
        policy.assignment_staff_view(student, assignment)
    with pytest.raises(NotPermitted):
        policy.assignment_change(assistant, assignment)
    with pytest.raises(NotVisible):
        policy.assignment_view(EnrollmentFactory(section=SectionFactory(course=section.course)).user, assignment)
    assert policy.allows(policy.assignment_view, student, assignment)
    assert not policy.allows(policy.assignment_change, AnonymousUser(), assignment)


def test_keys_are_for_staff_of_the_course_who_study_in_none_of_its_sections(section, assistant, student):
    question = QuestionFactory(chapter__course=section.course)
    sibling = SectionFactory(course=section.course)
    instructor_elsewhere = EnrollmentFactory(section=sibling, role=Enrollment.Role.INSTRUCTOR).user
    assert policy.allows(policy.question_key_view, assistant, question)
    assert policy.allows(policy.question_key_view, instructor_elsewhere, question)  # their own course
    assert not policy.allows(policy.question_key_view, student, question)
    Enrollment.objects.create(section=sibling, user=assistant, role=Enrollment.Role.STUDENT)  # legacy data
    assert not policy.allows(policy.question_key_view, assistant, question)
    assert not policy.allows(
        policy.question_key_view, EnrollmentFactory(role=Enrollment.Role.INSTRUCTOR).user, question
    )
