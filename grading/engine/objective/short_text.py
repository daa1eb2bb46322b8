"""Short text: accepted texts and synonyms, and patterns matched in bounded time."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import regex

from ..messages import message
from ..normalize import normalize_text
from ..types import QuestionKey, Result
from .compiled import PATTERN_MAX_CHARS, PATTERN_TIMEOUT_SECONDS, CompiledItem, compile_key
from .results import _empty, _needs_review, _result, _uninterpretable, is_empty


class _PatternUnchecked(Exception):
    """A pattern could not be checked within the bounds; `flag` says which one."""

    def __init__(self, flag: str) -> None:
        super().__init__(flag)
        self.flag = flag


@dataclass(slots=True)
class _PatternBudget:
    """The time left for matching patterns against one response."""

    deadline: float

    @classmethod
    def start(cls) -> _PatternBudget:
        return cls(time.monotonic() + PATTERN_TIMEOUT_SECONDS)

    def match(self, pattern: regex.Pattern[str], how: str, text: str) -> Any:
        """`pattern.fullmatch(text)` or `.search(text)`, or raise _PatternUnchecked."""
        if len(text) > PATTERN_MAX_CHARS:
            raise _PatternUnchecked("too_long_for_pattern")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _PatternUnchecked("pattern_timeout")
        try:
            return getattr(pattern, how)(text, timeout=remaining)
        except TimeoutError:
            raise _PatternUnchecked("pattern_timeout") from None


def _unchecked(key: QuestionKey, flag: str) -> Result:
    return _needs_review(key, message(key.lang, "pattern_unchecked"), flag)


def _as_text(response: object) -> str | None:
    if isinstance(response, str):
        return response
    if isinstance(response, int | float) and not isinstance(response, bool):
        return str(response)
    if isinstance(response, list | tuple) and all(isinstance(r, str) or r is None for r in response):
        return " ".join(r for r in response if r)
    return None


def _regex_match(item: CompiledItem, text: str, compact: str, raw: str, budget: _PatternBudget) -> bool:
    return any(
        budget.match(p, "fullmatch", text) or budget.match(p, "fullmatch", compact) or budget.match(p, "fullmatch", raw)
        for p in item.regexes
    )


def grade_short_text(key: QuestionKey, response: object) -> Result:
    """Full points iff the normalised response is an accepted answer (see the module docstring)."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    raw = _as_text(response)
    if raw is None:
        return _uninterpretable(key)
    text = normalize_text(raw)
    if not text:
        return _empty(key)
    compact = text.replace(" ", "")
    index = compiled.exact.get(text, compiled.exact.get(compact))
    if index is None:
        stripped = unicodedata.normalize("NFKC", raw).strip()
        budget = _PatternBudget.start()
        try:
            index = next(
                (
                    i
                    for i, item in enumerate(compiled.items)
                    if item.regexes and _regex_match(item, text, compact, stripped, budget)
                ),
                None,
            )
        except _PatternUnchecked as unchecked:
            return _unchecked(key, unchecked.flag)
    if index is None:
        return _result(key, 0.0, message(key.lang, "short_text_incorrect"))
    return _result(key, 1.0, message(key.lang, "short_text_correct"), details={"matched": compiled.items[index].text})
