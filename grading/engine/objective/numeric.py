"""Numeric answers within a tolerance."""

from __future__ import annotations

from ..messages import message
from ..normalize import contains_digit, parse_number
from ..types import QuestionKey, Result
from .compiled import compile_key
from .results import _empty, _needs_review, _result, _uninterpretable, is_empty


def within_tolerance(x: float, value: float, abs_tol: float = 0.0, rel_tol: float = 0.0) -> bool:
    """|x − value| ≤ max(abs_tol, rel_tol × |value|), with a 1e-9 relative epsilon for float noise."""
    allowed = max(abs_tol, rel_tol * abs(value))
    return abs(x - value) <= allowed + 1e-9 * max(abs(value), abs(x))


def grade_numeric(key: QuestionKey, response: object) -> Result:
    """Full points iff the number read from the response is within the key's tolerance."""
    if is_empty(response):
        return _empty(key)
    if isinstance(response, list | tuple) and len(response) == 1:
        response = response[0]
    numeric = compile_key(key).key.numeric
    assert numeric is not None  # validate_key guarantees it
    x = parse_number(response)
    if x is None:
        if isinstance(response, str) and contains_digit(response):
            return _needs_review(key, message(key.lang, "number_in_text"), "not_a_number")
        if not isinstance(response, str | int | float):
            return _uninterpretable(key)
        return _result(key, 0.0, message(key.lang, "not_a_number"), flags=("not_a_number",))
    value, abs_tol, rel_tol = float(numeric.value), float(numeric.abs_tol), float(numeric.rel_tol)
    candidates = (x, x / 100) if isinstance(response, str) and "%" in response else (x,)
    correct = any(within_tolerance(c, value, abs_tol, rel_tol) for c in candidates)
    feedback = message(key.lang, "numeric_correct" if correct else "numeric_incorrect")
    return _result(key, float(correct), feedback, details={"value": x})
