"""The Django admin shows grades but never changes them: a change must go through the override
service so that the audit trail (who, when, why) is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bank.tests.factories import single_choice_question
from grading.models import Grade
from quizzes import services as quiz_services
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory
from quizzes.tests.portal_data import grade

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(section, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    quiz_services.attempt_submit(attempt=attempt)
    return grade(attempt.answers.get(), Decimal(0), max_points=Decimal(2))


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_grade_change_page_is_read_only_and_links_to_the_override_page(admin_client, graded):
    page = admin_client.get(reverse("admin:grading_grade_change", args=[graded.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'name="_save"' not in body and 'name="score"' not in body
    assert reverse("teach:answer", args=[graded.answer_id]) in body


def test_posting_the_change_form_changes_nothing(admin_client, graded):
    url = reverse("admin:grading_grade_change", args=[graded.pk])
    response = admin_client.post(url, {"score": "2", "status": "auto", "is_current": "on"})
    assert response.status_code == 403
    graded.refresh_from_db()
    assert graded.score == Decimal(0) and Grade.objects.filter(answer=graded.answer).count() == 1


def test_grades_cannot_be_added_or_deleted_in_the_admin(admin_client, graded):
    assert admin_client.get(reverse("admin:grading_grade_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:grading_grade_delete", args=[graded.pk]), {"post": "yes"}).status_code == 403
    )
    assert Grade.objects.filter(pk=graded.pk).exists()
