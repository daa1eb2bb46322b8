"""The release rule (issue 12, item 1): scores follow the assignment's policy, but whatever reveals
an answer key waits until nobody can still answer a question that uses it, in any section."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from bank.models import QuestionKind
from classes.tests.factories import EnrollmentFactory, SectionFactory
from grading import release
from grading.models import Grade
from quizzes import authoring, services
from quizzes.models import Assignment, Attempt, QuizItem, ReleasePolicy
from quizzes.templatetags.portal import format_moment
from quizzes.tests.factories import AssignmentFactory, QuizFactory, QuizItemFactory
from quizzes.tests.portal_data import REFERENCE, every_kind_assignment, grade, questions_of

pytestmark = pytest.mark.django_db

KEY_POINT = "SECRET-KEYPOINT names the decoder"
COMMENT = "SECRET-COMMENT the answer is BERT"


def graded_attempt(section, student, instructor, **fields) -> Attempt:
    """A submitted attempt at seven questions (one per kind), each graded with revealing feedback."""
    attempt = services.attempt_start(assignment=every_kind_assignment(section, **fields), student=student)
    services.answer_save(attempt=attempt, question_id=questions_of(attempt)["free_text"].pk, response="Compression.")
    services.attempt_submit(attempt=attempt)
    for answer in attempt.answers.select_related("question"):
        kind = answer.question.kind
        if kind == QuestionKind.FREE_TEXT:
            grade(
                answer,
                Decimal("6.5"),
                feedback=f"Missing: {KEY_POINT}",
                details={"key_points": [{"text": KEY_POINT, "covered": False, "strength": 0.1}]},
            )
        elif kind == QuestionKind.NUMERIC:
            grade(answer, Decimal(3), status=Grade.Status.OVERRIDDEN, overridden_by=instructor, override_reason=COMMENT)
        else:
            grade(answer, Decimal(10), feedback=f"FEEDBACK-{kind} correct option shown")
    attempt.status = Attempt.Status.GRADED
    attempt.save(update_fields=["status"])
    return attempt


def close(assignment: Assignment, ago: timedelta = timedelta(hours=1)) -> None:
    now = timezone.now()
    assignment.opens_at = now - timedelta(days=2)
    assignment.closes_at = now - ago
    assignment.save()


def result_page(client, student, attempt) -> str:
    client.force_login(student)
    response = client.get(reverse("portal:result", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def question_card(body: str, question_id: int) -> str:
    return body[body.index(f'id="question-{question_id}"') :].split("</article>")[0]


def assert_key_hidden(card: str) -> None:
    for secret in (KEY_POINT, COMMENT, "FEEDBACK-", "SECRET-REFERENCE"):
        assert secret not in card, secret


# --- when scores are released ---------------------------------------------------------------------


def test_after_close_waits_for_the_grace_period_and_every_extension(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    assignment = attempt.assignment
    close(assignment, ago=timedelta(minutes=1))
    assignment.grace_period = timedelta(minutes=5)
    assignment.save()
    now = timezone.now()
    assert not release.results_released(attempt, now)  # the grace period still runs

    assignment.grace_period = timedelta(0)
    assignment.save()
    classmate = EnrollmentFactory(section=section).user
    extension = authoring.extension_grant(
        assignment=assignment, student=classmate, closes_at=now + timedelta(hours=1), actor=instructor
    )
    assert not release.results_released(attempt, now)  # a classmate may still answer

    extension.closes_at = now - timedelta(seconds=1)
    extension.save()
    assert release.results_released(attempt, now)


def test_after_close_waits_for_an_attempt_still_running_past_a_shortened_close(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    assignment = attempt.assignment
    classmate = EnrollmentFactory(section=section).user
    running = services.attempt_start(assignment=assignment, student=classmate)
    close(assignment, ago=timedelta(minutes=1))  # the close moved earlier; the running attempt keeps its deadline
    assert running.deadline > timezone.now()
    assert not release.results_released(attempt, timezone.now())


# --- what reveals the key -------------------------------------------------------------------------


def test_while_classmates_still_answer_the_result_shows_scores_but_nothing_that_reveals_the_key(
    client, section, student, instructor
):
    # given an "as soon as graded" assignment whose window is still open for the class
    attempt = graded_attempt(section, student, instructor)
    kinds = questions_of(attempt)

    body = result_page(client, student, attempt)

    # then the overall score shows, the free-text score too, but no per-question right/wrong
    assert "Overall score" in body and "<strong>59.5</strong>" in body
    assert "6.5 / 10 points" in question_card(body, kinds["free_text"].pk)
    for kind in ("single_choice", "multiple_choice", "true_false", "short_text", "enumeration", "numeric"):
        card = question_card(body, kinds[kind].pk)
        assert "/ 10 points" not in card and "score-pill full" not in card and "score-pill zero" not in card, kind
    # and neither key points, feedback naming them, the instructor's comment nor reference answers
    for question in kinds.values():
        assert_key_hidden(question_card(body, question.pk))
    # and the page says when they appear, in the section's time zone
    assignment = attempt.assignment
    when = format_moment(assignment.closes_at + assignment.grace_period, section.time_zone)
    assert when in body and section.time_zone in body


def test_a_question_still_open_in_another_section_keeps_its_key_hidden(client, section, student, instructor):
    # given a graded attempt whose own window has closed
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    close(attempt.assignment)
    kinds = questions_of(attempt)
    free, single = kinds["free_text"], kinds["single_choice"]
    # and another section of the course answering the free-text question until tomorrow
    other = SectionFactory(course=section.course, time_zone="Europe/Paris")
    later = AssignmentFactory(
        section=other, quiz=QuizFactory(course=section.course), closes_at=timezone.now() + timedelta(days=1)
    )
    QuizItemFactory(quiz=later.quiz, question=free)

    body = result_page(client, student, attempt)

    # then that question's key points and reference answer stay hidden, with the time they appear
    free_card = question_card(body, free.pk)
    assert_key_hidden(free_card)
    assert format_moment(later.closes_at + later.grace_period, section.time_zone) in free_card
    # while questions nobody can answer any more show everything
    single_card = question_card(body, single.pk)
    assert "FEEDBACK-single_choice" in single_card and "10 / 10 points" in single_card
    assert REFERENCE in single_card

    # and once the other section's window (and grace) has passed, the key shows too
    close(later, ago=timedelta(seconds=5))
    free_card = question_card(result_page(client, student, attempt), free.pk)
    assert KEY_POINT in free_card and REFERENCE in free_card


def test_a_random_draw_from_the_questions_chapter_counts_as_using_it(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    close(attempt.assignment)
    free = questions_of(attempt)["free_text"]
    draw_quiz = QuizFactory(course=section.course)
    QuizItem.objects.create(quiz=draw_quiz, position=1, chapter=free.chapter, draw_count=1)
    AssignmentFactory(section=SectionFactory(course=section.course), quiz=draw_quiz)

    shown = release.attempt_release(attempt, timezone.now())

    assert shown.scores and not shown.key_shown(free.pk)


def test_a_later_assignment_of_the_same_question_keeps_the_key_hidden_until_it_closes(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    close(attempt.assignment)
    single = questions_of(attempt)["single_choice"]
    now = timezone.now()
    retake = AssignmentFactory(
        section=section,
        quiz=QuizFactory(course=section.course),
        opens_at=now + timedelta(days=7),
        closes_at=now + timedelta(days=8),
        grace_period=timedelta(minutes=2),
    )
    QuizItemFactory(quiz=retake.quiz, question=single)

    shown = release.attempt_release(attempt, now)

    assert not shown.key_shown(single.pk)
    assert shown.keys_hidden_until == retake.closes_at + timedelta(minutes=2)


def test_an_extension_elsewhere_keeps_the_key_hidden(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.AFTER_CLOSE)
    close(attempt.assignment)
    free = questions_of(attempt)["free_text"]
    other = SectionFactory(course=section.course)
    elsewhere = AssignmentFactory(section=other, quiz=QuizFactory(course=section.course))
    QuizItemFactory(quiz=elsewhere.quiz, question=free)
    close(elsewhere)
    late = EnrollmentFactory(section=other).user
    extension = authoring.extension_grant(
        assignment=elsewhere, student=late, closes_at=timezone.now() + timedelta(hours=3), actor=None
    )

    assert not release.attempt_release(attempt, timezone.now()).key_shown(free.pk)
    assert release.attempt_release(attempt, extension.closes_at + timedelta(seconds=1)).key_shown(free.pk)


def test_manual_release_shows_scores_but_the_key_still_waits(section, student, instructor):
    attempt = graded_attempt(section, student, instructor, release_policy=ReleasePolicy.MANUAL)
    attempt.assignment.released_at = timezone.now()
    attempt.assignment.save()
    shown = release.attempt_release(attempt, timezone.now())
    assert shown.scores and shown.keys_hidden_until is not None
    assert not any(shown.key_shown(q.pk) for q in questions_of(attempt).values())


def test_receipt_says_nothing_that_reveals_the_key(client, section, student, instructor):
    attempt = graded_attempt(section, student, instructor)
    client.force_login(student)
    body = client.get(reverse("portal:receipt", args=[attempt.pk])).content.decode()
    assert_key_hidden(body)
    assert "See your result" in body


def test_result_page_query_count_stays_bounded(client, section, student, instructor, django_assert_max_num_queries):
    attempt = graded_attempt(section, student, instructor)
    client.force_login(student)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("portal:result", args=[attempt.pk])).status_code == 200


def test_the_notice_is_translated(client, section, student, instructor, settings):
    attempt = graded_attempt(section, student, instructor)
    client.force_login(student)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(reverse("portal:result", args=[attempt.pk])).content.decode()
    assert "会泄露答案的内容" in body and "届时已无人可以作答此题" in body
