"""How every objective grader builds its `Result` (fixed confidence 1, or 0 and review when the
response cannot be read), and what counts as an empty response."""

from __future__ import annotations

from typing import Any

from ..messages import message
from ..types import QuestionKey, Result

OBJECTIVE_GRADER_VERSION = "obj-1"  # the graders' version, stored with every grade they make


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _result(
    key: QuestionKey,
    fraction: float,
    feedback: str,
    *,
    flags: tuple[str, ...] = (),
    recognised: tuple[str, ...] = (),
    details: dict[str, Any] | None = None,
) -> Result:
    fraction = 0.0 if fraction < 0.0 else 1.0 if fraction > 1.0 else fraction
    return Result(
        score=round(key.max_points * fraction, 6),
        max_points=key.max_points,
        feedback=feedback,
        confidence=1.0,
        needs_review=False,
        grader=OBJECTIVE_GRADER_VERSION,
        flags=flags,
        recognised=recognised,
        details={"grader": key.kind, **details} if details else {"grader": key.kind},
    )


def _empty(key: QuestionKey) -> Result:
    return _result(key, 0.0, message(key.lang, "empty"), flags=("empty",))


def _needs_review(key: QuestionKey, feedback: str, flag: str, details: dict[str, Any] | None = None) -> Result:
    """Score 0 until a person looks: the response could not be interpreted."""
    return Result(
        score=0.0,
        max_points=key.max_points,
        feedback=feedback,
        confidence=0.0,
        needs_review=True,
        grader=OBJECTIVE_GRADER_VERSION,
        flags=(flag,),
        details={"grader": key.kind, **(details or {})},
    )


def _uninterpretable(key: QuestionKey) -> Result:
    return _needs_review(key, message(key.lang, "uninterpretable"), "uninterpretable")


def is_empty(response: object) -> bool:
    """None, a blank string, or a list/tuple/set of nothing but those."""
    if response is None:
        return True
    if isinstance(response, str):
        return not response.strip()
    if isinstance(response, list | tuple | set | frozenset):
        return all(is_empty(r) for r in response)
    return False
