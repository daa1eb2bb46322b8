"""Overrides: required reason, staff only, final against regrades, kept in the audit trail, and
feeding the engine's calibration of the question."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from bank.services import question_key_changed
from bank.tests.factories import single_choice_question
from common.errors import NotPermitted, NotVisible
from grading import selectors, services
from grading.models import Grade, GradingJob
from quizzes import services as quiz_services
from quizzes.errors import AttemptInProgress
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded_answer(section, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    wrong = question.choices.get(is_correct=False)
    answer = quiz_services.answer_save(attempt=attempt, question_id=question.pk, response=str(wrong.pk))
    quiz_services.attempt_submit(attempt=attempt)
    services.attempt_grade(attempt.pk)
    return answer


def test_override_needs_a_reason(graded_answer, instructor):
    with pytest.raises(services.OverrideRefused, match="reason"):
        services.grade_override(answer_ids=[graded_answer.pk], score=1, reason="  ", actor=instructor)


def test_override_is_for_staff_of_the_section_only(graded_answer, student):
    with pytest.raises(NotPermitted, match="instructors and assistants"):  # the answer's own student
        services.grade_override(answer_ids=[graded_answer.pk], score=1, reason="fair", actor=student)
    with pytest.raises(NotVisible):  # anyone else may not even know the answer exists
        services.grade_override(answer_ids=[graded_answer.pk], score=1, reason="fair", actor=UserFactory())
    assert not Grade.objects.filter(answer=graded_answer, status=Grade.Status.OVERRIDDEN).exists()


def test_override_score_must_fit_the_points(graded_answer, assistant):
    with pytest.raises(services.OverrideRefused, match="between 0 and 2"):
        services.grade_override(answer_ids=[graded_answer.pk], score="2.5", reason="generous", actor=assistant)


def test_override_replaces_the_current_grade_and_keeps_history(graded_answer, assistant):
    services.grade_override(answer_ids=[graded_answer.pk], score="1.5", reason="Partly right", actor=assistant)
    current = Grade.objects.get(answer=graded_answer, is_current=True)
    assert (current.status, current.score, current.override_reason) == (
        Grade.Status.OVERRIDDEN,
        Decimal("1.5"),
        "Partly right",
    )
    trail = selectors.grade_history(graded_answer.pk)
    assert [(c.old_score, c.new_score) for c in trail] == [(None, Decimal("0.00")), (Decimal("0.00"), Decimal("1.50"))]
    assert trail[1].by == assistant.shown_name and trail[1].why == "Partly right"
    assert "graded on submission" in trail[0].why


def test_override_survives_a_regrade(graded_answer, instructor):
    services.grade_override(answer_ids=[graded_answer.pk], score=2, reason="Accepted", actor=instructor)
    question_key_changed(graded_answer.question)
    preview = services.regrade_preview(graded_answer.question_id)
    assert [(r.answer_id, r.overridden, r.changes) for r in preview] == [(graded_answer.pk, True, False)]
    job = services.regrade_start(graded_answer.question_id)
    for chunk in services.job_plan(job.pk):
        services.chunk_grade(job.pk, chunk)
    current = Grade.objects.get(answer=graded_answer, is_current=True)
    assert current.status == Grade.Status.OVERRIDDEN and current.score == 2


def test_override_starts_one_calibration_job(graded_answer, instructor):
    services.grade_override(answer_ids=[graded_answer.pk], score=1, reason="a", actor=instructor)
    services.grade_override(answer_ids=[graded_answer.pk], score=2, reason="b", actor=instructor)
    jobs = GradingJob.objects.filter(kind=GradingJob.Kind.CALIBRATE, question=graded_answer.question)
    assert jobs.count() == 1


def test_override_of_an_attempt_in_progress_is_refused_until_it_is_submitted(section, student, instructor):
    # given a student still answering
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    answer = quiz_services.answer_save(
        attempt=attempt, question_id=question.pk, response=str(question.choices.first().pk)
    )

    # when staff try to grade the answer, then it is refused and nothing is written
    with pytest.raises(AttemptInProgress, match="still in progress"):
        services.grade_override(answer_ids=[answer.pk], score=2, reason="early", actor=instructor)
    assert not Grade.objects.filter(answer=answer).exists()

    # once submitted, the override goes through
    quiz_services.attempt_submit(attempt=attempt)
    services.grade_override(answer_ids=[answer.pk], score=2, reason="checked", actor=instructor)
    assert Grade.objects.get(answer=answer, is_current=True).status == Grade.Status.OVERRIDDEN
