from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bank.tests.factories import single_choice_question
from grading import services
from grading.models import Grade
from quizzes import services as quiz_services
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_answer(section, student):
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    question = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    answer = quiz_services.answer_save(
        attempt=attempt, question_id=question.pk, response=str(question.choices.get(is_correct=True).pk)
    )
    quiz_services.attempt_submit(attempt=attempt)
    return answer


def _grade(answer, **kwargs) -> Grade:
    values = {
        "status": Grade.Status.AUTO,
        "score": Decimal(1),
        "max_points": Decimal(2),
        "grader": "t",
        "grader_version": "1",
        "question_version": 1,
    }
    return Grade.objects.create(answer=answer, **{**values, **kwargs})


def test_one_current_grade_per_answer(submitted_answer):
    _grade(submitted_answer)
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(submitted_answer)
    _grade(submitted_answer, is_current=False)  # history is allowed
    assert Grade.objects.filter(answer=submitted_answer, is_current=True).count() == 1


def test_score_cannot_exceed_max_points(submitted_answer):
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(submitted_answer, score=Decimal(3))


def test_override_needs_who_when_and_why(submitted_answer):
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(submitted_answer, status=Grade.Status.OVERRIDDEN)


def test_grading_twice_writes_one_grade(submitted_answer):
    services.attempt_grade(submitted_answer.attempt_id)
    services.attempt_grade(submitted_answer.attempt_id)
    services.grade_answers([submitted_answer.pk])
    grades = Grade.objects.filter(answer=submitted_answer)
    assert grades.count() == 1
    assert grades.get().score == Decimal(2)
