"""Reading a student's answers from a form or a JSON body, and saving them with a message per question.

`services.answers_save` is all or nothing; the portal checks each response first (with the same
`clean_response` the service uses) so that one answer that is too long is reported next to its
question while the others are still saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from bank.models import Question, QuestionKind
from common.errors import ClassroomError
from grading.selectors import AttemptRow

from .. import services
from ..models import Attempt
from ..responses import clean_response


@dataclass(frozen=True)
class AnswerError:
    code: str
    message: str


@dataclass
class QuestionItem:
    """One question of the attempt page: what to show in its input, and its error, if any."""

    row: AttemptRow
    value: Any
    error: str = ""

    @property
    def question(self) -> Any:
        return self.row.item.question

    @property
    def number(self) -> int:
        """The number the student sees (their own order when the assignment shuffles)."""
        return self.row.item.shown_number

    @property
    def choices(self) -> list[Any]:
        """The question's choices in the order this attempt shows them."""
        choices = list(self.question.choices.all())
        order = {pk: i for i, pk in enumerate(self.row.item.choice_order or [])}
        if order:
            choices.sort(key=lambda c: order.get(c.pk, len(order)))
        return choices

    @property
    def answered(self) -> bool:
        return self.value not in (None, "", [])


def posted_responses(post: QueryDict, rows: list[AttemptRow]) -> dict[int, Any]:
    """The form's answers by question id. Enumerations come as a textarea, one item per line."""
    responses: dict[int, Any] = {}
    for row in rows:
        question = row.item.question
        name = f"q-{question.pk}"
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            responses[question.pk] = post.getlist(name)
            continue
        value = post.get(name, "")
        if question.kind == QuestionKind.ENUMERATION:
            value = [line.strip() for line in value.splitlines() if line.strip()]
        responses[question.pk] = value
    return responses


def save_responses(
    attempt: Attempt, questions: Mapping[int, Question], responses: Mapping[int, Any], *, actor: Any
) -> dict[int, AnswerError]:
    """Save every valid response in one call of the service; return the refused ones by question id.

    `questions`: the attempt's, with their choices (`selectors.attempt_questions`, or the page's rows).
    Raises DeadlinePassed / AttemptClosed from the service (nothing is saved then).
    """
    valid: dict[int, Any] = {}
    errors: dict[int, AnswerError] = {}
    for question_id, value in responses.items():
        question = questions.get(question_id)
        if question is None:
            valid[question_id] = value  # the service refuses it with a clear message
            continue
        try:
            clean_response(question, value, {str(c.pk) for c in question.choices.all()})
        except ClassroomError as exc:
            errors[question_id] = AnswerError(exc.code, exc.message)
        else:
            valid[question_id] = value
    # also checks the deadline when `valid` is empty
    services.answers_save(attempt=attempt, responses=valid, actor=actor, questions=questions)
    return errors


def question_items(
    rows: list[AttemptRow],
    posted: Mapping[int, Any] | None = None,
    errors: Mapping[int, AnswerError] | None = None,
) -> list[QuestionItem]:
    """The page's questions in the order the student sees them, with the stored answers, or with
    what was posted when the page is shown again."""
    items = []
    for row in sorted(rows, key=lambda r: r.item.shown_number):
        qid = row.item.question_id
        error = (errors or {}).get(qid)
        if error is not None and posted is not None and qid in posted:
            value = posted[qid]  # keep what the student typed, so a too-long answer is not lost
        else:
            value = row.answer.response if row.answer else None
        items.append(QuestionItem(row, value, error.message if error else ""))
    return items
