"""Single choice, multiple choice (partial credit) and true / false."""

from __future__ import annotations

from dataclasses import replace

from ..messages import message
from ..types import QuestionKey, Result
from .compiled import CompiledKey, compile_key
from .reading import _CHOICE_SPLIT_RE, _fold_choice, _truth_of
from .results import _empty, _fmt, _needs_review, _result, _uninterpretable, is_empty


def _choice_tokens(response: object, *, split: bool) -> list[str] | None:
    """The option keys a response names, in order and without duplicates; None if unreadable."""
    if isinstance(response, str):
        raw = [response.strip()]
        if split and raw[0] and _CHOICE_SPLIT_RE.search(raw[0]):
            raw = [t for t in _CHOICE_SPLIT_RE.split(raw[0]) if t]
    elif isinstance(response, int) and not isinstance(response, bool):
        raw = [str(response)]
    elif isinstance(response, list | tuple | set | frozenset):
        values = sorted(response, key=str) if isinstance(response, set | frozenset) else list(response)
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values if v is not None):
            return None
        raw = [str(v).strip() for v in values if v is not None and str(v).strip()]
    else:
        return None
    return list(dict.fromkeys(raw))


def _resolve(compiled: CompiledKey, token: str) -> str | None:
    found = compiled.choice_index.get(token)
    return found if found is not None else compiled.choice_index.get(_fold_choice(token))


def grade_single_choice(key: QuestionKey, response: object) -> Result:
    """Full points iff exactly one option is selected and it is a correct one."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    tokens = _choice_tokens(response, split=False)
    if tokens is None:
        return _uninterpretable(key)
    if len(tokens) == 1 and _resolve(compiled, tokens[0]) is None and isinstance(response, str):
        tokens = _choice_tokens(response, split=True) or tokens  # "a, b" typed into one field
    resolved = {_resolve(compiled, t) or f"?{t}": t for t in tokens}  # "a" and "A" are one option
    if len(resolved) > 1:
        feedback = message(key.lang, "several_choices", count=len(resolved))
        return _result(key, 0.0, feedback, flags=("several_choices",), details={"selected": tokens})
    choice = _resolve(compiled, tokens[0])
    if choice is None:
        feedback = message(key.lang, "unknown_choice", choice=tokens[0])
        return _needs_review(key, feedback, "unknown_choice", {"selected": tokens})
    correct = choice in compiled.correct
    return _result(
        key, float(correct), message(key.lang, "correct" if correct else "incorrect"), details={"selected": [choice]}
    )


def grade_multiple_choice(key: QuestionKey, response: object) -> Result:
    """Partial credit: max_points × max(0, (correct selected − wrong selected) ÷ correct options)."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    tokens = _choice_tokens(response, split=True)
    if tokens is None:
        return _uninterpretable(key)
    resolved = {t: _resolve(compiled, t) for t in tokens}
    unknown = [t for t, choice in resolved.items() if choice is None]
    chosen = set(resolved.values())
    selected = [c.key for c in key.choices if c.key in chosen]  # in the question's order
    right = sum(c in compiled.correct for c in selected)
    wrong = len(selected) - right + len(unknown)
    total = len(compiled.correct)
    fraction = max(0.0, (right - wrong) / total)
    feedback = message(
        key.lang,
        "multiple_choice",
        correct=right,
        total=total,
        wrong=wrong,
        points=_fmt(key.max_points * fraction),
        max_points=_fmt(key.max_points),
    )
    details = {"selected": selected, "correct_selected": right, "wrong_selected": wrong}
    if not unknown:
        return _result(key, fraction, feedback, details=details)
    sep = message(key.lang, "sentence_separator")
    feedback += sep + message(key.lang, "unknown_choices", choices=", ".join(unknown))
    result = _result(key, fraction, feedback, flags=("unknown_choice",), details={**details, "unknown": unknown})
    return replace(result, confidence=0.0, needs_review=True)  # the key may have changed since


def _read_truth(compiled: CompiledKey, response: object) -> bool | None:
    if isinstance(response, bool):
        return response
    if isinstance(response, list | tuple) and len(response) == 1:
        return _read_truth(compiled, response[0])
    if isinstance(response, int):
        response = str(response)
    if not isinstance(response, str):
        return None
    choice = _resolve(compiled, response.strip())
    if choice is not None:
        return compiled.truth[choice]
    return _truth_of(response)


def grade_true_false(key: QuestionKey, response: object) -> Result:
    """Full points iff the response, read as true or false, is the correct option's value."""
    if is_empty(response):
        return _empty(key)
    compiled = compile_key(key)
    value = _read_truth(compiled, response)
    if value is None:
        return _needs_review(key, message(key.lang, "true_false_unreadable"), "uninterpretable")
    expected = next(compiled.truth[c] for c in compiled.correct)
    correct = value == expected
    return _result(
        key, float(correct), message(key.lang, "correct" if correct else "incorrect"), details={"answer": value}
    )
