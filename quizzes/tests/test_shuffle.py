"""Shuffling per assignment: each student's own order of questions and choices, drawn once per
attempt, shown by the attempt page; results, exports and the quiz's numbering stay the quiz's."""

from __future__ import annotations

import re

from django.urls import reverse

from bank.models import Choice, QuestionKind
from bank.tests.factories import QuestionFactory
from classes.tests.factories import EnrollmentFactory
from grading import exports
from quizzes.models import Attempt, AttemptQuestion
from quizzes.services import attempt_start, attempt_submit
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory
from quizzes.tests.portal_data import every_kind_assignment, many_questions_assignment
from quizzes.tests.test_teach_quizzes import edit_post


def _frozen(attempt: Attempt) -> list[AttemptQuestion]:
    return list(attempt.attempt_questions.select_related("question").order_by("position"))


def _page_order(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="question-(\d+)"', body)]


def test_a_shuffled_attempt_keeps_the_quiz_positions_and_stores_its_own_order(section, student) -> None:
    assignment = many_questions_assignment(section, count=12, shuffle_questions=True, shuffle_choices=True)
    attempt = attempt_start(assignment=assignment, student=student)
    frozen = _frozen(attempt)
    quiz_order = list(assignment.quiz.items.order_by("position").values_list("question_id", flat=True))
    assert [aq.question_id for aq in frozen] == quiz_order  # positions: the quiz's order
    shown = [aq.shown_position for aq in frozen]
    assert sorted(shown) == list(range(1, 13)) and shown != list(range(1, 13))
    for aq in frozen:
        bank_order = [c.pk for c in aq.question.choices.all()]
        if aq.question.kind == QuestionKind.SINGLE_CHOICE:
            assert sorted(aq.choice_order) == sorted(bank_order) and aq.choice_order != bank_order
        else:
            assert aq.choice_order == []


def test_without_shuffling_the_quiz_order_and_the_banks_choices_are_shown(section, student) -> None:
    assignment = many_questions_assignment(section, count=4)
    frozen = _frozen(attempt_start(assignment=assignment, student=student))
    assert [aq.shown_number for aq in frozen] == [1, 2, 3, 4]
    assert all(aq.shown_position is None and aq.choice_order == [] for aq in frozen)


def test_true_false_keeps_true_first_and_two_options_may_keep_their_order(section, student) -> None:
    assignment = every_kind_assignment(section, shuffle_choices=True)
    frozen = {aq.question.kind: aq for aq in _frozen(attempt_start(assignment=assignment, student=student))}
    assert frozen[QuestionKind.TRUE_FALSE].choice_order == []
    assert len(frozen[QuestionKind.SINGLE_CHOICE].choice_order) == 2
    assert len(frozen[QuestionKind.MULTIPLE_CHOICE].choice_order) == 3


def test_students_get_different_orders_and_the_same_one_on_every_reload(client, section, student) -> None:
    assignment = many_questions_assignment(section, count=10, shuffle_questions=True)
    other = EnrollmentFactory(section=section).user
    mine = attempt_start(assignment=assignment, student=student)
    theirs = attempt_start(assignment=assignment, student=other)
    client.force_login(student)
    url = reverse("portal:attempt", args=[mine.pk])
    first, again = (_page_order(client.get(url).content.decode()) for _ in range(2))
    expected = [aq.question_id for aq in sorted(_frozen(mine), key=lambda aq: aq.shown_number)]
    assert first == again == expected
    assert [aq.shown_position for aq in _frozen(mine)] != [aq.shown_position for aq in _frozen(theirs)]


def test_the_attempt_page_numbers_and_orders_the_choices_as_drawn(client, section, student) -> None:
    assignment = AssignmentFactory(section=section, quiz__course=section.course, shuffle_choices=True)
    question = QuestionFactory(chapter__course=section.course, kind=QuestionKind.SINGLE_CHOICE)
    Choice.objects.bulk_create(Choice(question=question, text=f"Option {i}", position=i) for i in range(1, 6))
    QuizItemFactory(quiz=assignment.quiz, position=1, question=question)
    attempt = attempt_start(assignment=assignment, student=student)
    client.force_login(student)
    body = client.get(reverse("portal:attempt", args=[attempt.pk])).content.decode()
    shown = [int(pk) for pk in re.findall(rf'name="q-{question.pk}" value="(\d+)"', body)]
    assert shown == attempt.attempt_questions.get().choice_order


def test_exports_keep_the_quiz_order_and_the_bank_codes(section, student) -> None:
    assignment = many_questions_assignment(section, count=6, shuffle_questions=True, shuffle_choices=True)
    attempt_submit(attempt=attempt_start(assignment=assignment, student=student))
    columns, _rows = exports.gradebook(assignment)
    codes = [q.column_label for q in (i.question for i in assignment.quiz.items.order_by("position"))]
    assert [c.label for c in columns] == codes


def test_the_instructor_turns_shuffling_on_in_the_settings(client, section, instructor) -> None:
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    client.force_login(instructor)
    data = edit_post(assignment, shuffle_questions="on", shuffle_choices="on")
    assert client.post(reverse("teach:assignment_edit", args=[assignment.pk]), data).status_code == 302
    assignment.refresh_from_db()
    assert assignment.shuffle_questions and assignment.shuffle_choices
