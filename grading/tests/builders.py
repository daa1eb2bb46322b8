"""Building exams for the grading tests: a question of every kind, students who answer through the
services (`attempt_start`, `answers_save`), and the window's close.

Plain functions, not fixtures, so the unit tests (`db`) and the worker tests (`transactional_db`)
build the same data the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from bank.models import AcceptedAnswer, Choice, Question, QuestionKind
from bank.tests.factories import ChapterFactory, QuestionFactory, short_text_question, single_choice_question
from classes.models import Enrollment, Section
from classes.tests.factories import EnrollmentFactory
from grading.models import Grade
from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

Respond = Callable[[Question, int], Any]


def objective_questions(section: Section) -> list[Question]:
    """Single choice, multiple choice, numeric, short text and enumeration, each with its key."""
    chapter = ChapterFactory(course=section.course)
    single = single_choice_question(chapter=chapter)
    multiple = QuestionFactory(
        chapter=chapter, kind=QuestionKind.MULTIPLE_CHOICE, prompt="Which are pre-trained with SSL?", points=3
    )
    for position, (text, correct) in enumerate([("BERT", True), ("GPT", True), ("SVM", False)], start=1):
        Choice.objects.create(question=multiple, text=text, is_correct=correct, position=position)
    numeric = QuestionFactory(
        chapter=chapter,
        kind=QuestionKind.NUMERIC,
        prompt="What fraction of tokens does BERT mask?",
        points=2,
        numeric_value=0.15,
        numeric_abs_tolerance=0.005,
    )
    short = short_text_question(chapter=chapter)
    enumeration = QuestionFactory(
        chapter=chapter, kind=QuestionKind.ENUMERATION, prompt="Name two parts of a VQ-VAE.", points=4, min_items=2
    )
    for position, text in enumerate(["encoder", "decoder", "codebook"], start=1):
        AcceptedAnswer.objects.create(question=enumeration, text=text, position=position)
    return [single, multiple, numeric, short, enumeration]


def free_text_question(section: Section) -> Question:
    return QuestionFactory(chapter=ChapterFactory(course=section.course))


def varied_response(question: Question, i: int) -> Any:
    """A realistic class: objective answers repeat a few patterns; free text is mostly unique."""
    choice_ids = [str(pk) for pk in question.choices.order_by("position").values_list("pk", flat=True)]
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return choice_ids[1 if i % 3 == 2 else 0]  # two in three choose the first (correct) option
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [choice_ids[:2], choice_ids[:1], [choice_ids[0], choice_ids[2]]][i % 3]
    if question.kind == QuestionKind.NUMERIC:
        return ["0.15", "15%", "0.2", "0.15"][i % 4]
    if question.kind == QuestionKind.SHORT_TEXT:
        return ["Bidirectional Encoder Representations from Transformers", "bidirectional encoder", ""][i % 3]
    if question.kind == QuestionKind.ENUMERATION:
        return [["encoder", "decoder"], ["encoder"], ["codebook", "decoder", "encoder"]][i % 3]
    if i % 10 == 9:
        return "学习输入数据的紧凑表示。"  # ~10% exact duplicates
    return f"学生{i}: 自编码器学习输入数据的紧凑而有意义的表示 (a compact representation, take {i})."


@dataclass
class Exam:
    assignment: Assignment
    questions: list[Question]
    attempts: list[Attempt] = field(default_factory=list)

    def answers(self):
        return Answer.objects.filter(attempt__assignment=self.assignment)

    def answer_ids(self) -> list[int]:
        return list(self.answers().order_by("pk").values_list("pk", flat=True))

    def current_grades(self):
        return Grade.objects.filter(answer__attempt__assignment=self.assignment, is_current=True)

    @property
    def closes(self) -> datetime:
        """A moment just after the window (and its grace) closed."""
        return self.assignment.closes_at + self.assignment.grace_period + timedelta(seconds=1)


def exam(
    section: Section,
    questions: Sequence[Question],
    *,
    students: int,
    respond: Respond = varied_response,
    closes_in: timedelta = timedelta(hours=1),
    time_limit: timedelta | None = None,
) -> Exam:
    """An open assignment of `questions`; every student starts an attempt and saves an answer to each."""
    now = timezone.now()
    assignment = AssignmentFactory(
        section=section,
        quiz__course=section.course,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + closes_in,
        time_limit=time_limit,
    )
    for position, question in enumerate(questions, start=1):
        QuizItemFactory(quiz=assignment.quiz, position=position, question=question)
    result = Exam(assignment=assignment, questions=list(questions))
    for i in range(students):
        student = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT).user
        attempt = quiz_services.attempt_start(assignment=assignment, student=student)
        quiz_services.answers_save(attempt=attempt, responses={q.pk: respond(q, i) for q in questions})
        result.attempts.append(attempt)
    return result


def auto_submit_at_close(exam: Exam) -> int:
    """The deadline passes: every attempt is auto-submitted, nothing enqueued per attempt, no job yet."""
    return quiz_services.attempts_auto_submit_due(now=exam.closes)


def key_change(question: Question, *, correct: str) -> Question:
    """An instructor fixes a single-choice key: `correct` becomes the right option; the version goes up."""
    question.choices.update(is_correct=False)
    question.choices.filter(text=correct).update(is_correct=True)
    question.version += 1
    question.save(update_fields=["version"])
    return question
