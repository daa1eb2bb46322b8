"""A student answers, submits; a real worker on Redis grades the attempt in PostgreSQL."""

from __future__ import annotations

import pytest

from bank.tests.factories import QuestionFactory, single_choice_question
from common.testing import wait_until
from grading.models import Grade
from quizzes import services
from quizzes.models import Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.worker


def test_worker_grades_choice_exactly_and_free_text_with_the_rubric(celery_worker, section, student):
    # given an assignment with a single-choice and a free-text question
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    choice_q = single_choice_question(chapter__course=section.course)
    free_q = QuestionFactory(chapter=choice_q.chapter, number=99)
    QuizItemFactory(quiz=assignment.quiz, position=1, question=choice_q)
    QuizItemFactory(quiz=assignment.quiz, position=2, question=free_q)
    correct = choice_q.choices.get(is_correct=True)

    # when the student starts, answers both and submits
    attempt = services.attempt_start(assignment=assignment, student=student)
    services.answers_save(
        attempt=attempt,
        responses={choice_q.pk: str(correct.pk), free_q.pk: "学习输入数据的紧凑表示 compact representation"},
    )
    services.attempt_submit(attempt=attempt)

    # then the worker stores an exact grade for the choice answer and a rubric grade for the free text
    def both_graded() -> bool:
        return Grade.objects.filter(answer__attempt=attempt, is_current=True).count() == 2

    assert wait_until(both_graded), "the worker did not grade the attempt in time"
    choice_grade = Grade.objects.get(answer__question=choice_q, is_current=True)
    assert choice_grade.status == Grade.Status.AUTO
    assert choice_grade.score == choice_grade.max_points == 2
    free_grade = Grade.objects.get(answer__question=free_q, is_current=True)
    assert free_grade.grader == "free_text" and 0 <= free_grade.score <= free_grade.max_points
    assert free_grade.details["key_points"], "feedback names the key points"
    attempt.refresh_from_db()
    expected = Attempt.Status.SUBMITTED if free_grade.status == Grade.Status.NEEDS_REVIEW else Attempt.Status.GRADED
    assert attempt.status == expected  # graded unless the engine sent the free text to review
