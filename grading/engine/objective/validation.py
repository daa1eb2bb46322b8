"""Checks of a key before any response is scored (`grade_objective` raises ValueError with them)."""

from __future__ import annotations

import math
from collections.abc import Callable

import regex

from ..normalize import normalize_text
from ..types import OBJECTIVE_KINDS, QuestionKey
from .reading import _choice_truth


def validate_key(key: QuestionKey) -> list[str]:
    """Problems that make `key` ungradable (empty list: fine). Run it when a key is saved."""
    problems: list[str] = []
    if not math.isfinite(key.max_points) or key.max_points < 0:
        problems.append(f"max_points must be a finite number ≥ 0, not {key.max_points!r}")
    if key.kind not in OBJECTIVE_KINDS:
        problems.append(f"{key.kind!r} is not an objective question kind")
        return problems
    checks: dict[str, Callable[[QuestionKey], list[str]]] = {
        "single_choice": _choice_problems,
        "multiple_choice": _choice_problems,
        "true_false": _true_false_problems,
        "numeric": _numeric_problems,
        "short_text": _accepted_problems,
        "enumeration": _enumeration_problems,
    }
    return problems + checks[key.kind](key)


def _choice_problems(key: QuestionKey) -> list[str]:
    problems = []
    keys = [c.key for c in key.choices]
    if not keys:
        problems.append("the question has no options")
    if len(set(keys)) != len(keys):
        problems.append("two options share the same key")
    if keys and not any(c.correct for c in key.choices):
        problems.append("no option is marked correct")
    return problems


def _true_false_problems(key: QuestionKey) -> list[str]:
    if len(key.choices) != 2:
        return [f"a true/false question needs exactly two options, not {len(key.choices)}"]
    truths = [_choice_truth(c.key, c.text) for c in key.choices]
    problems = []
    if None in truths or truths[0] == truths[1]:
        problems.append('the two options must stand for "true" and "false"')
    if sum(c.correct for c in key.choices) != 1:
        problems.append("exactly one of the two options must be marked correct")
    return problems


def _numeric_problems(key: QuestionKey) -> list[str]:
    numeric = key.numeric
    if numeric is None:
        return ["a numeric question needs a numeric key"]
    values = (float(numeric.value), float(numeric.abs_tol), float(numeric.rel_tol))
    if not all(math.isfinite(v) for v in values):
        return ["the numeric key must be finite"]
    if values[1] < 0 or values[2] < 0:
        return ["tolerances must not be negative"]
    return []


def _accepted_problems(key: QuestionKey) -> list[str]:
    if not key.accepted:
        return ["no accepted answer"]
    problems = []
    for item in key.accepted:
        for text in (item.text, *item.synonyms):
            if item.is_regex:
                try:
                    regex.compile(text, regex.IGNORECASE)
                except regex.error as exc:
                    problems.append(f"accepted answer {text!r} is not a valid regular expression: {exc}")
            elif not normalize_text(text):
                problems.append(f"accepted answer {text!r} is empty once normalised")
    return problems


def _enumeration_problems(key: QuestionKey) -> list[str]:
    problems = _accepted_problems(key)
    if key.min_items < 0 or key.min_items > len(key.accepted):
        problems.append(f"min_items must be between 0 and {len(key.accepted)}, not {key.min_items}")
    return problems
