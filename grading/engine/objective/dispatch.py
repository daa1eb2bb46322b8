"""`grade_objective`: the grader of the key's kind, with a memo of results per compiled key."""

from __future__ import annotations

from ..types import QuestionKey, Result
from .choices import grade_multiple_choice, grade_single_choice, grade_true_false
from .compiled import Grader, _remember, compile_key
from .enumeration import grade_enumeration
from .numeric import grade_numeric
from .short_text import grade_short_text

GRADERS: dict[str, Grader] = {
    "single_choice": grade_single_choice,
    "multiple_choice": grade_multiple_choice,
    "true_false": grade_true_false,
    "numeric": grade_numeric,
    "short_text": grade_short_text,
    "enumeration": grade_enumeration,
}


def _memo_key(response: object) -> object:
    """A hashable stand-in for `response` that tells apart True, 1 and "1"; None if there is none."""
    if isinstance(response, str):
        return response
    if response is None or isinstance(response, int | float):
        return (type(response).__name__, response)
    if isinstance(response, list | tuple):
        parts = tuple(_memo_key(r) for r in response)
        return None if None in parts else ("list", parts)
    if isinstance(response, set | frozenset):
        parts = tuple(sorted((_memo_key(r) for r in response), key=repr))
        return None if None in parts else ("set", parts)
    return None


def grade_objective(key: QuestionKey, response: object) -> Result:
    """Grade one response to an objective question. Raises ValueError for a non-objective kind
    or an invalid key (see `validate_key`), before any response is scored.

    Identical responses to the same key get the same `Result` object back: treat it, and its
    `details`, as read-only.
    """
    grader = GRADERS.get(key.kind)
    if grader is None:
        raise ValueError(f"{key.kind!r} is not an objective question kind")
    compiled = compile_key(key)
    memo_key = _memo_key(response)
    if memo_key is None:
        return grader(key, response)
    result = compiled.results.get(memo_key)
    if result is None:
        result = grader(key, response)
        _remember(compiled.results, memo_key, result)
    return result
