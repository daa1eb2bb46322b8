"""After submitting: the receipt (proof of what was stored) and the result, once released."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.http import SignedInRequest
from bank.models import QuestionKind
from grading import release
from grading.selectors import AttemptRow, attempt_rows, attempt_total

from .. import selectors
from ..models import Attempt
from .attempt import release_rule


def answers_digest(rows: list[AttemptRow]) -> str:
    """A short fingerprint of the stored answers a student can keep as proof of what was submitted.

    The first 16 hex digits of SHA-256 over the JSON list [[question id, stored response], ...] in
    question order (keys sorted, no spaces, UTF-8): anyone holding the stored answers can recompute it.
    """
    payload = [[r.item.question_id, r.answer.response if r.answer else None] for r in rows]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()[:16]


@login_required
def attempt_receipt(request: SignedInRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.student_attempt(attempt_id, request.user)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("portal:attempt", attempt_id=attempt.pk)
    rows = attempt_rows(attempt)
    context = {
        "attempt": attempt,
        "answered": sum(1 for r in rows if not selectors.response_is_empty(r.answer)),
        "question_count": len(rows),
        "digest": answers_digest(rows),
        "released": release.results_released(attempt, timezone.now()),
        "release_rule": release_rule(attempt.assignment),
    }
    return render(request, "portal/receipt.html", context)


@dataclass(frozen=True)
class ShownAnswer:
    """The student's own answer as the result page shows it: choices by their text, lists as lists."""

    entries: list[str] = field(default_factory=list)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.entries and not self.text


def _answer_display(row: AttemptRow) -> ShownAnswer:
    question = row.item.question
    response = row.answer.response if row.answer else None
    if response in (None, "", []):
        return ShownAnswer()
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.TRUE_FALSE, QuestionKind.MULTIPLE_CHOICE):
        chosen = {str(v) for v in (response if isinstance(response, list) else [response])}
        choices = list(question.choices.all())
        if question.kind == QuestionKind.TRUE_FALSE:  # the first choice means "true" (see grading.adapters)
            return ShownAnswer(
                [_("True") if i == 0 else _("False") for i, c in enumerate(choices) if str(c.pk) in chosen]
            )
        return ShownAnswer([c.text for c in choices if str(c.pk) in chosen])
    if question.kind == QuestionKind.ENUMERATION and isinstance(response, list):
        return ShownAnswer([str(v) for v in response])
    return ShownAnswer(text=str(response))


@dataclass(frozen=True)
class ResultRow:
    """One question of the result page, with what may be shown of it now."""

    row: AttemptRow
    shown: ShownAnswer
    key_shown: bool  # key points, feedback, comment, reference answer (see grading.release)
    score_shown: bool  # an objective question's score says right or wrong: part of the key
    hidden_until: datetime | None


@login_required
def attempt_result(request: SignedInRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.student_attempt(attempt_id, request.user)
    now = timezone.now()
    if not release.results_released(attempt, now):
        messages.info(request, _("Results are not released yet."))
        return redirect("portal:receipt", attempt_id=attempt.pk)
    rows = attempt_rows(attempt)
    shown = release.attempt_release(attempt, now, questions=[r.item.question for r in rows])
    score, total = attempt_total(rows)
    waiting = sum(1 for r in rows if r.grade is None or r.grade.score is None)
    result_rows = []
    for row in rows:
        question = row.item.question
        key_shown = shown.key_shown(question.pk)
        result_rows.append(
            ResultRow(
                row=row,
                shown=_answer_display(row),
                key_shown=key_shown,
                score_shown=key_shown or not release.reveals_right_or_wrong(question),
                hidden_until=shown.hidden_until(question.pk),
            )
        )
    context = {
        "attempt": attempt,
        "rows": result_rows,
        "score": score,
        "total": total,
        "waiting": waiting,
        "keys_hidden_until": shown.keys_hidden_until,
    }
    return render(request, "portal/result.html", context)
