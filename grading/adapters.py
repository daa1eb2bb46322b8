"""Turning Django models into the scoring core's plain values, and back."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

from bank.models import Question, QuestionKind

from .engine.batch import DEFAULT_FREE_TEXT_GRADER
from .engine.types import AcceptedItem, Choice, NumericKey, QuestionKey, RubricPoint

TWO_PLACES = Decimal("0.01")


def free_text_grader() -> str:
    """The GRADING_FREE_TEXT_GRADER setting, or the engine's default when it is empty."""
    return settings.GRADING_FREE_TEXT_GRADER or DEFAULT_FREE_TEXT_GRADER


def true_false_key(position_index: int) -> str:
    """True/false questions hold two choices: the first means "true", the second "false"."""
    return "true" if position_index == 0 else "false"


def question_key(question: Question, max_points: Decimal) -> QuestionKey:
    """The answer key of `question` as it is now. Needs choices, accepted answers and rubric prefetched."""
    choices = list(question.choices.all())
    if question.kind == QuestionKind.TRUE_FALSE:
        engine_choices = tuple(Choice(true_false_key(i), c.text, c.is_correct) for i, c in enumerate(choices))
    else:
        engine_choices = tuple(Choice(str(c.pk), c.text, c.is_correct) for c in choices)
    numeric = None
    if question.numeric_value is not None:
        numeric = NumericKey(question.numeric_value, question.numeric_abs_tolerance, question.numeric_rel_tolerance)
    return QuestionKey(
        kind=question.kind,  # type: ignore[arg-type]
        max_points=float(max_points),
        prompt=question.prompt,
        reference=question.reference_answer,
        choices=engine_choices,
        accepted=tuple(
            AcceptedItem(a.text, tuple(a.synonyms or ()), a.is_regex) for a in question.accepted_answers.all()
        ),
        numeric=numeric,
        min_items=question.min_items,
        rubric=tuple(RubricPoint(p.text, p.weight, tuple(p.keywords or ())) for p in question.rubric_points.all()),
        lang=question.language,
    )


def engine_response(question: Question, response: Any) -> Any:
    """The stored response in the form the engine expects (true/false choice ids become "true"/"false")."""
    if question.kind == QuestionKind.TRUE_FALSE and response is not None:
        for i, choice in enumerate(question.choices.all()):
            if str(choice.pk) == str(response):
                return true_false_key(i)
    return response


def to_points(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
