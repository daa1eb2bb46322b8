"""The rules of an attempt, enforced by the services and the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bank.tests.factories import QuestionFactory, single_choice_question
from classes.models import Enrollment
from common.errors import NotEnrolled
from quizzes import services
from quizzes.errors import AnswerTooLong, AttemptLimitReached, DeadlinePassed, InvalidResponse, WindowNotOpen
from quizzes.models import Answer, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=QuestionFactory(chapter__course=section.course))
    return assignment


def test_starting_twice_gives_one_attempt(assignment, student):
    first = services.attempt_start(assignment=assignment, student=student)
    second = services.attempt_start(assignment=assignment, student=student)
    assert first.pk == second.pk
    assert Attempt.objects.filter(assignment=assignment, student=student).count() == 1


def test_attempt_freezes_questions_with_their_versions(assignment, student):
    question = assignment.quiz.items.get().question
    question.version = 3
    question.save()
    attempt = services.attempt_start(assignment=assignment, student=student)
    frozen = attempt.attempt_questions.get()
    assert (frozen.question_id, frozen.question_version, frozen.points) == (question.pk, 3, question.points)


def test_deadline_is_start_plus_limit_capped_by_close(assignment, student):
    now = timezone.now()
    assignment.closes_at = now + timedelta(minutes=10)
    assignment.save()
    attempt = services.attempt_start(assignment=assignment, student=student, now=now)
    assert attempt.deadline == assignment.closes_at  # 30-minute limit capped by the close


def test_attempt_limit_is_enforced(assignment, student):
    assignment.max_attempts = 2
    assignment.save()
    for _ in range(2):
        services.attempt_submit(attempt=services.attempt_start(assignment=assignment, student=student))
    with pytest.raises(AttemptLimitReached, match="all 2 attempts"):
        services.attempt_start(assignment=assignment, student=student)
    assert Attempt.objects.filter(assignment=assignment, student=student).count() == 2


def test_database_refuses_a_duplicate_attempt_number(assignment, student):
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            assignment=assignment,
            student=student,
            number=attempt.number,
            started_at=attempt.started_at,
            deadline=attempt.deadline,
        )


def test_database_refuses_two_attempts_in_progress(assignment, student):
    attempt = services.attempt_start(assignment=assignment, student=student)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            assignment=assignment, student=student, number=2, started_at=attempt.started_at, deadline=attempt.deadline
        )


def test_save_after_deadline_is_refused_and_earlier_answers_kept(assignment, student):
    question = assignment.quiz.items.get().question
    start = timezone.now()
    attempt = services.attempt_start(assignment=assignment, student=student, now=start)
    services.answer_save(
        attempt=attempt, question_id=question.pk, response="first answer", now=start + timedelta(minutes=1)
    )

    with pytest.raises(DeadlinePassed, match="deadline of this attempt has passed"):
        services.answer_save(
            attempt=attempt, question_id=question.pk, response="too late", now=attempt.deadline + timedelta(seconds=1)
        )

    assert Answer.objects.get(attempt=attempt).response == "first answer"


def test_grace_period_accepts_saves_just_after_deadline(assignment, student):
    assignment.grace_period = timedelta(minutes=2)
    assignment.save()
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    answer = services.answer_save(
        attempt=attempt, question_id=question.pk, response="in grace", now=attempt.deadline + timedelta(minutes=1)
    )
    assert answer.response == "in grace"


def test_auto_submit_keeps_saved_answers(assignment, student):
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.answer_save(attempt=attempt, question_id=question.pk, response="saved in time")

    submitted = services.attempts_auto_submit_due(now=attempt.deadline + timedelta(seconds=1))

    attempt.refresh_from_db()
    assert submitted == 1
    assert attempt.status == Attempt.Status.AUTO_SUBMITTED
    assert Answer.objects.get(attempt=attempt).response == "saved in time"


def test_submit_is_idempotent(assignment, student):
    attempt = services.attempt_start(assignment=assignment, student=student)
    first = services.attempt_submit(attempt=attempt)
    second = services.attempt_submit(attempt=attempt)
    assert first.submitted_at == second.submitted_at
    assert Answer.objects.filter(attempt=attempt).count() == 1  # the unanswered question, stored empty


def test_saving_to_a_submitted_attempt_is_refused(assignment, student):
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(Exception, match="has been submitted"):
        services.answer_save(attempt=attempt, question_id=question.pk, response="changed my mind")


def test_only_enrolled_students_can_start(assignment, instructor):
    with pytest.raises(NotEnrolled):
        services.attempt_start(assignment=assignment, student=instructor)


def test_closed_window_refuses_start(assignment, student):
    with pytest.raises(WindowNotOpen, match="closed"):
        services.attempt_start(assignment=assignment, student=student, now=assignment.closes_at + timedelta(seconds=1))


def test_choice_from_another_question_is_refused(section, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    other = single_choice_question(chapter=question.chapter, number=50)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = services.attempt_start(assignment=assignment, student=student)
    with pytest.raises(InvalidResponse):
        services.answer_save(attempt=attempt, question_id=question.pk, response=str(other.choices.first().pk))


def test_overlong_answer_is_refused_with_the_limit(assignment, student, settings):
    settings.ANSWER_MAX_CHARS = 100
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    with pytest.raises(AnswerTooLong, match="the limit is 100"):
        services.answer_save(attempt=attempt, question_id=question.pk, response="x" * 200)


def test_a_student_removed_from_the_section_cannot_keep_saving(assignment, student, section):
    # given a student with an attempt in progress who is then taken out of the class
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.answer_save(attempt=attempt, question_id=question.pk, response="before removal")
    Enrollment.objects.filter(section=section, user=student).delete()

    # when they save again, then the save is refused and the earlier answer kept
    with pytest.raises(NotEnrolled, match="no longer a student"):
        services.answer_save(attempt=attempt, question_id=question.pk, response="after removal")
    assert Answer.objects.get(attempt=attempt).response == "before removal"


def test_a_removed_student_made_staff_cannot_keep_saving_either(assignment, student, section):
    question = assignment.quiz.items.get().question
    attempt = services.attempt_start(assignment=assignment, student=student)
    Enrollment.objects.filter(section=section, user=student).update(role=Enrollment.Role.ASSISTANT)
    with pytest.raises(NotEnrolled):
        services.answer_save(attempt=attempt, question_id=question.pk, response="as an assistant")
