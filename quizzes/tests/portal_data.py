"""Data the portal tests share: a quiz with one question of every kind, grades as the engine writes them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from bank.models import AcceptedAnswer, Choice, Question, QuestionKind, RubricPoint
from bank.tests.factories import ChapterFactory, QuestionFactory
from grading.models import Grade
from quizzes.models import Answer, Assignment, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory

REFERENCE = "A compact, meaningful representation of the input. SECRET-REFERENCE"
RUBRIC = "Mentions compression SECRET-RUBRIC"


def every_kind_assignment(section: Any, **assignment_fields: Any) -> Assignment:
    """An assignment of seven questions, one per kind, with answer keys and a rubric point."""
    assignment = AssignmentFactory(section=section, quiz__course=section.course, **assignment_fields)
    chapter = ChapterFactory(course=section.course)
    questions = [
        QuestionFactory(chapter=chapter, kind=QuestionKind.SINGLE_CHOICE, prompt="Which model is bidirectional?"),
        QuestionFactory(chapter=chapter, kind=QuestionKind.MULTIPLE_CHOICE, prompt="Which are encoders?"),
        QuestionFactory(chapter=chapter, kind=QuestionKind.TRUE_FALSE, prompt="L-infinity is stricter."),
        QuestionFactory(chapter=chapter, kind=QuestionKind.NUMERIC, prompt="Omniglot characters?", numeric_value=1623),
        QuestionFactory(chapter=chapter, kind=QuestionKind.SHORT_TEXT, prompt="Full name of MAML?"),
        QuestionFactory(chapter=chapter, kind=QuestionKind.ENUMERATION, prompt="List passive defenses.", min_items=2),
        QuestionFactory(chapter=chapter, kind=QuestionKind.FREE_TEXT, prompt="Why embed with an autoencoder?"),
    ]
    for question in questions:
        question.reference_answer = REFERENCE
        question.save(update_fields=["reference_answer"])
    single, multiple, true_false, _numeric, short, enumeration, free = questions
    Choice.objects.bulk_create(
        [
            Choice(question=single, text="BERT", is_correct=True, position=1),
            Choice(question=single, text="GPT", position=2),
            Choice(question=multiple, text="BERT", is_correct=True, position=1),
            Choice(question=multiple, text="ELMo encoder", is_correct=True, position=2),
            Choice(question=multiple, text="GPT", position=3),
            Choice(question=true_false, text="True", is_correct=True, position=1),
            Choice(question=true_false, text="False", position=2),
        ]
    )
    AcceptedAnswer.objects.create(question=short, text="Model-Agnostic Meta-Learning")
    AcceptedAnswer.objects.create(question=enumeration, text="Filter", position=1)
    AcceptedAnswer.objects.create(question=enumeration, text="Compression", position=2)
    RubricPoint.objects.create(question=free, text=RUBRIC)
    for position, question in enumerate(questions, start=1):
        QuizItemFactory(quiz=assignment.quiz, position=position, question=question)
    return assignment


def many_questions_assignment(section: Any, count: int = 12, **fields: Any) -> Assignment:
    """An assignment of `count` questions, alternating single choice (3 options) and free text."""
    assignment = AssignmentFactory(section=section, quiz__course=section.course, **fields)
    chapter = ChapterFactory(course=section.course)
    for position in range(1, count + 1):
        if position % 2:
            question = QuestionFactory(chapter=chapter, kind=QuestionKind.SINGLE_CHOICE, points=2)
            Choice.objects.bulk_create(
                Choice(question=question, text=f"Option {i}", is_correct=i == 1, position=i) for i in range(1, 4)
            )
        else:
            question = QuestionFactory(chapter=chapter)
        QuizItemFactory(quiz=assignment.quiz, position=position, question=question)
    return assignment


def questions_of(attempt: Attempt) -> dict[str, Question]:
    return {aq.question.kind: aq.question for aq in attempt.attempt_questions.select_related("question")}


def grade(answer: Answer, score: Decimal | None, *, status: str = Grade.Status.AUTO, **fields: Any) -> Grade:
    """A current grade as grading.services would store it (tests only: the portal never writes grades)."""
    defaults = {
        "max_points": Decimal(10),
        "feedback": "",
        "details": {},
        "grader": "test",
        "grader_version": "test",
        "question_version": answer.question.version,
    }
    if status == Grade.Status.OVERRIDDEN:
        defaults["overridden_at"] = timezone.now()
    return Grade.objects.create(answer=answer, score=score, status=status, **{**defaults, **fields})
