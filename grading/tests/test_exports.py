from __future__ import annotations

import csv
import io

import pytest

from accounts.tests.factories import UserFactory
from bank.tests.factories import short_text_question, single_choice_question
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory
from common import spreadsheet
from grading import exports, services
from quizzes import services as quiz_services
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(section):
    assignment = AssignmentFactory(section=section, quiz__course=section.course, max_attempts=2)
    choice = single_choice_question(chapter__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, position=1, question=choice)
    QuizItemFactory(quiz=assignment.quiz, position=2, question=short_text_question(chapter=choice.chapter, number=40))
    return assignment


def _take(assignment, student, *, right: bool):
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    choice_q, text_q = [aq.question for aq in attempt.attempt_questions.order_by("position")]
    pick = choice_q.choices.get(is_correct=right)
    quiz_services.answers_save(
        attempt=attempt,
        responses={choice_q.pk: str(pick.pk), text_q.pk: "bidirectional encoder representations from transformers"},
    )
    quiz_services.attempt_submit(attempt=attempt)
    services.attempt_grade(attempt.pk)
    return attempt


def _rows(text: str) -> list[list[str]]:
    assert text.startswith(spreadsheet.BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def test_gradebook_has_one_row_per_student_and_their_best_attempt(assignment, section):
    zhang = UserFactory(username="zhang", display_name="张伟")
    EnrollmentFactory(section=section, user=zhang, role=Enrollment.Role.STUDENT)
    _take(assignment, zhang, right=False)
    best = _take(assignment, zhang, right=True)
    absent = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user

    rows = _rows(exports.gradebook_csv(assignment))

    assert rows[0][:3] == ["username", "name", "attempt"] and rows[0][-2:] == ["total", "max"]
    by_user = {r[0]: r for r in rows[1:]}
    assert by_user["zhang"][1:] == ["张伟", str(best.pk), "2.00", "2.00", "4.00", "4.00"]
    assert by_user[absent.username][2:] == ["", "", "", "", ""]


def test_answers_export_lists_every_answer_with_its_grade(assignment, student, django_assert_max_num_queries):
    _take(assignment, student, right=True)
    with django_assert_max_num_queries(5):
        rows = _rows(exports.answers_csv(assignment))
    assert len(rows) == 3
    assert {r[7] for r in rows[1:]} == {"auto"} and {r[8] for r in rows[1:]} == {"engine"}
