"""The rules the portal enforces on the server, whatever the page's script does (brief, rule 6)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bank.tests.factories import QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from quizzes import services
from quizzes.models import Answer, Attempt, ReleasePolicy
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory
from quizzes.tests.portal_data import REFERENCE, RUBRIC, every_kind_assignment, grade, questions_of

pytestmark = pytest.mark.django_db


def autosave(client: Client, attempt: Attempt, answers: dict, **extra):
    return client.post(
        reverse("portal:autosave", args=[attempt.pk]),
        data=json.dumps({"answers": {str(k): v for k, v in answers.items()}}),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def assignment(section):
    return every_kind_assignment(section)


@pytest.fixture
def attempt(assignment, student):
    return services.attempt_start(assignment=assignment, student=student)


@pytest.fixture
def overdue_attempt(section, student):
    """An attempt whose deadline passed ten minutes ago, with one answer saved in time."""
    start = timezone.now() - timedelta(minutes=40)
    assignment = every_kind_assignment(section, opens_at=start - timedelta(hours=1))
    attempt = services.attempt_start(assignment=assignment, student=student, now=start)
    free = questions_of(attempt)["free_text"]
    services.answer_save(
        attempt=attempt, question_id=free.pk, response="saved in time", now=start + timedelta(minutes=1)
    )
    return attempt


# --- nothing accepted after deadline + grace ------------------------------------------------------


def test_form_post_after_deadline_is_refused_answers_kept_and_attempt_auto_submitted(client, student, overdue_attempt):
    client.force_login(student)
    free = questions_of(overdue_attempt)["free_text"]
    response = client.post(
        reverse("portal:attempt", args=[overdue_attempt.pk]),
        {f"q-{free.pk}": "too late", "action": "save"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("portal:receipt", args=[overdue_attempt.pk])
    assert "deadline of this attempt has passed" in response.content.decode()
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.status == Attempt.Status.AUTO_SUBMITTED
    assert Answer.objects.get(attempt=overdue_attempt, question=free).response == "saved in time"


def test_autosave_after_deadline_is_a_409_with_the_message_and_the_receipt(client, student, overdue_attempt):
    client.force_login(student)
    free = questions_of(overdue_attempt)["free_text"]
    response = autosave(client, overdue_attempt, {free.pk: "too late"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "deadline_passed" and "deadline of this attempt has passed" in body["message"]
    assert body["redirect"] == reverse("portal:receipt", args=[overdue_attempt.pk])
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.status == Attempt.Status.AUTO_SUBMITTED
    assert Answer.objects.get(attempt=overdue_attempt, question=free).response == "saved in time"


def test_opening_an_overdue_attempt_submits_it_with_its_saved_answers(client, student, overdue_attempt):
    client.force_login(student)
    response = client.get(reverse("portal:attempt", args=[overdue_attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:receipt", args=[overdue_attempt.pk])
    overdue_attempt.refresh_from_db()
    assert overdue_attempt.status == Attempt.Status.AUTO_SUBMITTED
    assert "1 of 7" in response.content.decode()  # answers stored


def test_saves_within_the_grace_period_are_accepted(client, section, student):
    start = timezone.now() - timedelta(minutes=31)
    assignment = every_kind_assignment(section, opens_at=start - timedelta(hours=1), grace_period=timedelta(minutes=5))
    attempt = services.attempt_start(assignment=assignment, student=student, now=start)
    client.force_login(student)
    free = questions_of(attempt)["free_text"]
    assert autosave(client, attempt, {free.pk: "in grace"}).status_code == 200
    assert Answer.objects.get(attempt=attempt, question=free).response == "in grace"


def test_submitted_attempt_accepts_no_more_answers(client, student, attempt):
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    free = questions_of(attempt)["free_text"]
    response = autosave(client, attempt, {free.pk: "after submit"})
    assert response.status_code == 409 and response.json()["code"] == "attempt_closed"
    page = client.post(reverse("portal:attempt", args=[attempt.pk]), {f"q-{free.pk}": "after submit"})
    assert page.status_code == 302 and page["Location"] == reverse("portal:receipt", args=[attempt.pk])
    assert Answer.objects.get(attempt=attempt, question=free).response is None


def test_a_student_taken_out_of_the_class_cannot_keep_saving_from_the_page(client, section, student, attempt):
    Enrollment.objects.filter(section=section, user=student).delete()
    client.force_login(student)
    free = questions_of(attempt)["free_text"]
    response = autosave(client, attempt, {free.pk: "after removal"})
    assert response.status_code == 403 and response.json()["code"] == "not_enrolled"
    page = client.post(reverse("portal:attempt", args=[attempt.pk]), {f"q-{free.pk}": "after removal"}, follow=True)
    assert page.status_code == 200 and "no longer a student of this class" in page.content.decode()
    assert not Answer.objects.filter(attempt=attempt, question=free).exists()


# --- another student's attempt is a 404 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("portal:attempt", "get"),
        ("portal:attempt", "post"),
        ("portal:autosave", "post"),
        ("portal:submit", "get"),
        ("portal:submit", "post"),
        ("portal:receipt", "get"),
        ("portal:result", "get"),
    ],
)
def test_another_students_attempt_is_404_everywhere(client, section, attempt, name, method):
    other = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user
    client.force_login(other)
    response = getattr(client, method)(reverse(name, args=[attempt.pk]))
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS


def test_staff_of_the_section_do_not_see_a_students_attempt_in_the_portal(client, instructor, attempt):
    client.force_login(instructor)
    assert client.get(reverse("portal:attempt", args=[attempt.pk])).status_code == 404


def test_assignment_of_another_section_is_404(client, student):
    foreign = AssignmentFactory()
    QuizItemFactory(quiz=foreign.quiz, question=QuestionFactory(chapter__course=foreign.quiz.course))
    client.force_login(student)
    assert client.get(reverse("portal:assignment_start", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("portal:assignment_start", args=[foreign.pk])).status_code == 404
    assert not Attempt.objects.exists()


def test_pages_need_a_login(client, attempt):
    for name in ("portal:attempt", "portal:submit", "portal:receipt", "portal:result"):
        response = client.get(reverse(name, args=[attempt.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    signed_out = autosave(client, attempt, {})
    assert signed_out.status_code == 401 and "signed out" in signed_out.json()["message"]


# --- no reference answers or rubrics before release ------------------------------------------------


def assert_no_key(body: str) -> None:
    assert "SECRET-REFERENCE" not in body
    assert "SECRET-RUBRIC" not in body
    assert "is_correct" not in body


def test_attempt_page_and_json_never_carry_keys_or_rubrics(client, student, attempt):
    client.force_login(student)
    assert_no_key(client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode())
    assert_no_key(client.get(reverse("portal:submit", args=[attempt.pk])).content.decode())
    free = questions_of(attempt)["free_text"]
    assert_no_key(autosave(client, attempt, {free.pk: "x"}).content.decode())


def test_receipt_carries_no_key_and_result_waits_for_release(client, section, student):
    assignment = every_kind_assignment(section, release_policy=ReleasePolicy.AFTER_CLOSE)
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    assert_no_key(client.get(reverse("portal:receipt", args=[attempt.pk])).content.decode())
    result = client.get(reverse("portal:result", args=[attempt.pk]))
    assert result.status_code == 302 and result["Location"] == reverse("portal:receipt", args=[attempt.pk])


def test_released_result_hides_reference_answers_until_the_window_closes(client, student, attempt):
    for answer in services.attempt_submit(attempt=attempt).answers.select_related("question"):
        grade(answer, Decimal(1), details={"key_points": [{"text": "compression", "covered": True, "strength": 0.9}]})
    client.force_login(student)
    body = client.get(reverse("portal:result", args=[attempt.pk])).content.decode()
    assert "Overall score" in body
    assert "SECRET-REFERENCE" not in body and '<details class="reference">' not in body


def test_reference_answers_show_after_close_and_grace(client, student, attempt):
    for answer in services.attempt_submit(attempt=attempt).answers.select_related("question"):
        grade(answer, Decimal(1))
    assignment = attempt.assignment
    assignment.opens_at = timezone.now() - timedelta(hours=3)
    assignment.closes_at = timezone.now() - timedelta(minutes=1)
    assignment.grace_period = timedelta(minutes=5)
    assignment.save()
    client.force_login(student)
    assert REFERENCE not in client.get(reverse("portal:result", args=[attempt.pk])).content.decode()  # grace runs
    assignment.grace_period = timedelta(0)
    assignment.save()
    assert REFERENCE in client.get(reverse("portal:result", args=[attempt.pk])).content.decode()
    assert RUBRIC not in client.get(reverse("portal:result", args=[attempt.pk])).content.decode()


# --- attempt limits ----------------------------------------------------------------------------------


def test_attempt_limit_refuses_another_start_with_a_message(client, student, assignment):
    client.force_login(student)
    client.post(reverse("portal:assignment_start", args=[assignment.pk]))
    services.attempt_submit(attempt=Attempt.objects.get(student=student))
    response = client.post(reverse("portal:assignment_start", args=[assignment.pk]), follow=True)
    assert "You have used all 1 attempts" in response.content.decode()
    assert Attempt.objects.filter(student=student).count() == 1
    page = client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()
    assert "Start the attempt" not in page and "You have used your 1 attempt." in page


def test_starting_twice_gives_one_attempt(client, student, assignment):
    client.force_login(student)
    first = client.post(reverse("portal:assignment_start", args=[assignment.pk]))
    second = client.post(reverse("portal:assignment_start", args=[assignment.pk]))
    assert first["Location"] == second["Location"]
    assert Attempt.objects.filter(student=student).count() == 1


def test_start_before_the_window_opens_is_refused(client, section, student):
    assignment = every_kind_assignment(
        section, opens_at=timezone.now() + timedelta(hours=1), closes_at=timezone.now() + timedelta(hours=2)
    )
    client.force_login(student)
    page = client.get(reverse("portal:assignment_start", args=[assignment.pk])).content.decode()
    assert "This assignment is not open yet." in page
    response = client.post(reverse("portal:assignment_start", args=[assignment.pk]), follow=True)
    assert "This assignment opens at" in response.content.decode()
    assert not Attempt.objects.exists()


# --- CSRF on every form and on the JSON endpoint ----------------------------------------------------


@pytest.fixture
def csrf_client(student):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    return client


def test_forms_without_a_csrf_token_are_refused(csrf_client, assignment, attempt):
    free = questions_of(attempt)["free_text"]
    posts = [
        (reverse("portal:assignment_start", args=[assignment.pk]), {}),
        (reverse("portal:attempt", args=[attempt.pk]), {f"q-{free.pk}": "x", "action": "save"}),
        (reverse("portal:submit", args=[attempt.pk]), {}),
        (reverse("language_set"), {"language": "zh-hans"}),
        (reverse("preferences"), {"language": "zh-hans"}),
        (reverse("password_change"), {}),
        (reverse("logout"), {}),
    ]
    for url, data in posts:
        assert csrf_client.post(url, data).status_code == 403, url
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.IN_PROGRESS
    assert not Answer.objects.exists()


def test_autosave_needs_the_csrf_header(csrf_client, attempt):
    free = questions_of(attempt)["free_text"]
    assert autosave(csrf_client, attempt, {free.pk: "x"}).status_code == 403
    page = csrf_client.get(reverse("portal:attempt", args=[attempt.pk]))
    token = page.context["csrf_token"]
    response = autosave(csrf_client, attempt, {free.pk: "x"}, HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 200
    assert Answer.objects.get(attempt=attempt, question=free).response == "x"


def test_every_portal_form_carries_a_csrf_token(client, student, attempt):
    client.force_login(student)
    for url in (
        reverse("portal:dashboard"),
        reverse("portal:assignment_start", args=[attempt.assignment_id]),
        reverse("portal:attempt", args=[attempt.pk]),
        reverse("portal:submit", args=[attempt.pk]),
        reverse("preferences"),
        reverse("password_change"),
    ):
        body = client.get(url).content.decode()
        assert body.count("<form") == body.count('name="csrfmiddlewaretoken"'), url


# --- answer size limit --------------------------------------------------------------------------------


def test_too_long_answer_is_shown_next_to_its_question_and_the_others_are_saved(client, settings, student, attempt):
    settings.ANSWER_MAX_CHARS = 50
    client.force_login(student)
    kinds = questions_of(attempt)
    free, short = kinds["free_text"], kinds["short_text"]
    long_text = "很长的答案" * 20
    response = client.post(
        reverse("portal:attempt", args=[attempt.pk]),
        {f"q-{free.pk}": long_text, f"q-{short.pk}": "MAML", "action": "save"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    message = "characters long; the limit is 50. Shorten it and save again."
    assert message in body
    # the message sits inside the question's own fieldset, and the long text is kept in the box
    fieldset = body[body.index(f'id="question-{free.pk}"') :].split("</fieldset>")[0]
    assert message in fieldset and long_text in fieldset and 'aria-invalid="true"' in fieldset
    assert Answer.objects.get(attempt=attempt, question=short).response == "MAML"
    assert not Answer.objects.filter(attempt=attempt, question=free).exclude(response=None).exists()


def test_too_long_answer_by_autosave_is_a_400_with_the_message(client, settings, student, attempt):
    settings.ANSWER_MAX_CHARS = 50
    client.force_login(student)
    kinds = questions_of(attempt)
    free, short = kinds["free_text"], kinds["short_text"]
    response = autosave(client, attempt, {free.pk: "x" * 200, short.pk: "MAML"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "answer_too_long"
    assert "the limit is 50" in body["message"] and "the limit is 50" in body["errors"][str(free.pk)]
    assert body["saved"] == [str(short.pk)]
    assert Answer.objects.get(attempt=attempt, question=short).response == "MAML"


def test_answer_size_message_is_translated(client, settings, student, attempt):
    settings.ANSWER_MAX_CHARS = 50
    client.force_login(student)
    free = questions_of(attempt)["free_text"]
    response = autosave(client, attempt, {free.pk: "x" * 200}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "上限为 50" in response.json()["message"]


def test_malformed_autosave_is_a_400(client, student, attempt):
    client.force_login(student)
    url = reverse("portal:autosave", args=[attempt.pk])
    for body in ("not json", "[]", '{"answers": []}', '{"answers": {"abc": "x"}}'):
        assert client.post(url, data=body, content_type="application/json").status_code == 400
    foreign = QuestionFactory()
    response = autosave(client, attempt, {foreign.pk: "x"})
    assert response.status_code == 400 and "is not part of this attempt" in response.json()["message"]


# --- content and answers escaped ----------------------------------------------------------------------


def test_prompts_choices_and_answers_are_escaped(client, student, attempt):
    kinds = questions_of(attempt)
    single, free = kinds["single_choice"], kinds["free_text"]
    single.prompt = "Pick one <script>alert('prompt')</script> **bold** <img src=x onerror=alert(1)>"
    single.save()
    single.choices.filter(text="GPT").update(text="<b onmouseover=alert(2)>GPT</b>")
    services.answer_save(attempt=attempt, question_id=free.pk, response="</textarea><script>alert(3)</script>")
    client.force_login(student)
    body = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    assert "<script>alert" not in body and "<img" not in body and "<b onmouseover" not in body
    assert "<strong>bold</strong>" in body  # Markdown still renders
    assert "&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in body
    assert "&lt;b onmouseover=alert(2)&gt;GPT&lt;/b&gt;" in body
