"""The minimal portal path: sign in, see open assignments, answer, submit, see the receipt."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from bank.tests.factories import QuestionFactory, single_choice_question
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from quizzes.models import Answer, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course, title="Chapter 8 quiz")
    choice = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, position=1, question=choice)
    QuizItemFactory(quiz=assignment.quiz, position=2, question=QuestionFactory(chapter=choice.chapter, number=77))
    return assignment


def test_login_page_and_redirect_for_anonymous(client):
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_student_answers_and_submits_through_the_pages(client, student, assignment):
    client.force_login(student)
    dashboard = client.get(reverse("portal:dashboard"))
    assert "Chapter 8 quiz" in dashboard.content.decode()

    start = client.post(reverse("portal:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(student=student)
    assert start["Location"] == reverse("portal:attempt", args=[attempt.pk])

    choice_q, free_q = [aq.question for aq in attempt.attempt_questions.order_by("position")]
    correct = choice_q.choices.get(is_correct=True)
    form = {f"q-{choice_q.pk}": str(correct.pk), f"q-{free_q.pk}": "<script>alert(1)</script> 紧凑表示"}
    client.post(reverse("portal:attempt", args=[attempt.pk]), {**form, "action": "save"})
    page = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 紧凑表示" in page  # restored, escaped
    assert "<script>alert(1)" not in page

    receipt = client.post(reverse("portal:attempt", args=[attempt.pk]), {**form, "action": "submit"}, follow=True)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED
    body = receipt.content.decode()
    assert f"#{attempt.pk}" in body and "Answers stored" in body
    assert Answer.objects.get(attempt=attempt, question=free_q).response == "<script>alert(1)</script> 紧凑表示"


def test_another_students_attempt_is_404(client, section, student, assignment):
    client.force_login(student)
    client.post(reverse("portal:assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(student=student)
    other = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user
    client.force_login(other)
    for name in ("portal:attempt", "portal:receipt", "portal:result"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404


def test_dashboard_query_count_is_bounded(client, section, student, django_assert_max_num_queries):
    for _ in range(8):
        AssignmentFactory(section=section, quiz__course=section.course)
    client.force_login(student)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("portal:dashboard")).status_code == 200


def test_non_member_cannot_start(client, assignment):
    client.force_login(UserFactory())
    assert client.post(reverse("portal:assignment_start", args=[assignment.pk])).status_code == 404
