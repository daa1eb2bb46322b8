"""Checking and cleaning a student's response for a question type before it is stored.

Stored shapes (JSON): text kinds and numeric -> str; single choice and true/false -> the choice id
as str; multiple choice -> sorted list of choice ids as str; enumeration -> list of str entries.
An empty response is stored as None.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from bank.models import Question, QuestionKind
from common.json_input import text_problem

from .errors import AnswerTooLong, InvalidResponse

CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.TRUE_FALSE}


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise InvalidResponse(_("Expected text."))
    text = str(value)
    if text_problem(text):  # NUL or a lone surrogate: PostgreSQL would refuse to store it
        raise InvalidResponse(_("The answer contains characters that cannot be stored; remove them and save again."))
    return text


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, (list, tuple)):
        raise InvalidResponse(_("Expected a list."))
    return [_as_text(item).strip() for item in value if _as_text(item).strip()]


def clean_response(question: Question, value: Any, choice_ids: set[str]) -> Any:
    """Return the storable form of `value` for `question`, or raise InvalidResponse/AnswerTooLong."""
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind in CHOICE_KINDS:
        cleaned: Any = _as_text(value).strip()
        if cleaned not in choice_ids:
            raise InvalidResponse(_("That choice does not belong to this question."))
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        cleaned = sorted(set(_as_list(value)), key=lambda v: (len(v), v))
        if not set(cleaned) <= choice_ids:
            raise InvalidResponse(_("A selected choice does not belong to this question."))
    elif kind == QuestionKind.ENUMERATION:
        cleaned = _as_list(value)
    else:
        cleaned = _as_text(value)
    if not cleaned:
        return None
    size = len(json.dumps(cleaned, ensure_ascii=False))
    if size > settings.ANSWER_MAX_CHARS:
        raise AnswerTooLong(
            _("This answer is %(size)s characters long; the limit is %(limit)s. Shorten it and save again.")
            % {"size": size, "limit": settings.ANSWER_MAX_CHARS}
        )
    return cleaned
