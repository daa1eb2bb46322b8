"""Calibration examples come from the assignment being graded, never from another section, and
every grade records which examples calibrated it (issue 12, item 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bank.models import Question
from bank.tests.factories import ChapterFactory, QuestionFactory
from classes.models import Enrollment
from classes.tests.factories import EnrollmentFactory, SectionFactory
from grading import services
from grading.models import Grade, GradingJob
from grading.services.writing import score_answers
from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

pytestmark = pytest.mark.django_db

GOOD = "An autoencoder learns a compact and meaningful representation of the input data, which is the embedding."


@pytest.fixture
def question(section) -> Question:
    return QuestionFactory(
        chapter=ChapterFactory(course=section.course),
        prompt="What is the aim of using an autoencoder to get an embedding?",
        reference_answer="To learn a compact and meaningful representation of the input data.",
        language="en",
    )


def _assignment(section, question) -> Assignment:
    assignment = AssignmentFactory(section=section, quiz__course=section.course)
    QuizItemFactory(quiz=assignment.quiz, question=question)
    return assignment


def _submitted_answer(assignment: Assignment, text: str) -> Answer:
    student = EnrollmentFactory(section=assignment.section, role=Enrollment.Role.STUDENT).user
    attempt = quiz_services.attempt_start(assignment=assignment, student=student)
    answer = quiz_services.answer_save(
        attempt=attempt, question_id=assignment.quiz.items.get().question_id, response=text
    )
    quiz_services.attempt_submit(attempt=attempt)
    return answer


def _run(job: GradingJob) -> None:
    for chunk in services.job_plan(job.pk):
        services.chunk_grade(job.pk, chunk)


def test_an_override_in_section_a_does_not_move_section_b_grades(section, question, assistant):
    # given the same question assigned in two sections of the course
    other = SectionFactory(course=section.course)
    in_a = _assignment(section, question)
    in_b = _assignment(other, question)
    answers_a = [_submitted_answer(in_a, f"{GOOD} ({i})") for i in range(4)]
    answer_b = _submitted_answer(in_b, GOOD)
    before = score_answers([answer_b], {question.pk: question}).graded[0][1].score

    # when an assistant of section A zeroes three good answers there
    services.grade_override(answer_ids=[a.pk for a in answers_a[:3]], score=0, reason="strict marking", actor=assistant)

    # then section B's answer is scored as before, with no examples
    after = score_answers([answer_b], {question.pk: question}).graded[0][1]
    assert after.score == before and after.calibration_examples == []
    services.grade_answers([answer_b.pk])
    assert Grade.objects.get(answer=answer_b, is_current=True).calibration_examples == []


def test_each_grade_records_the_examples_of_its_own_assignment(section, question, assistant):
    assignment = _assignment(section, question)
    answers = [_submitted_answer(assignment, f"{GOOD} ({i})") for i in range(4)]
    services.grade_answers([a.pk for a in answers])
    assert all(g.calibration_examples == [] for g in Grade.objects.filter(answer__in=answers))

    overrides = services.grade_override(
        answer_ids=[a.pk for a in answers[:3]], score=0, reason="strict marking", actor=assistant
    )
    _run(GradingJob.objects.get(kind=GradingJob.Kind.CALIBRATE, assignment=assignment, question=question))

    rescored = Grade.objects.get(answer=answers[3], is_current=True)
    assert rescored.details["cause"] == "calibrate"
    assert rescored.calibration_examples == sorted(g.pk for g in overrides)


def test_objective_grades_record_no_examples(section, assistant):
    from bank.tests.factories import single_choice_question

    question = single_choice_question(chapter__course=section.course)
    assignment = _assignment(section, question)
    answers = [_submitted_answer(assignment, str(question.choices.first().pk)) for _ in range(2)]
    services.grade_answers([a.pk for a in answers])
    services.grade_override(answer_ids=[answers[0].pk], score=Decimal(1), reason="half", actor=assistant)
    _run(GradingJob.objects.get(kind=GradingJob.Kind.CALIBRATE, assignment=assignment))
    assert Grade.objects.get(answer=answers[1], is_current=True).calibration_examples == []
