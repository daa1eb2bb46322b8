"""The scoring core's entry point: one question's key plus a batch of responses in, results out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .free_text import dedupe_key
from .objective import OBJECTIVE_GRADER_VERSION, grade_objective
from .trained_text import current_grader, grade_free_text_trained
from .types import OBJECTIVE_KINDS, Embedder, GradedExample, QuestionKey, Result


def _dedup_key(response: Any) -> str:
    return json.dumps(response, ensure_ascii=False, sort_keys=True, default=str)


def _as_text(response: Any) -> str:
    return "" if response is None else response if isinstance(response, str) else "\n".join(map(str, response))


def normalised_response(key: QuestionKey, response: Any) -> str:
    """The form under which the engine treats responses as identical (scores them once): free
    text up to case and spacing, objective answers as their canonical JSON. Equal forms always get
    equal results, which is what makes a score cache keyed by this form exact."""
    if key.kind in OBJECTIVE_KINDS:
        return _dedup_key(response)
    return dedupe_key(_as_text(response))


def grader_version(key: QuestionKey) -> str:
    """The grader (and its version) that `grade_batch` would use for `key` now, as stored on the
    results: the trained free-text model's version, or the fallback's when it cannot be loaded."""
    if key.kind in OBJECTIVE_KINDS:
        return OBJECTIVE_GRADER_VERSION
    return current_grader()


def grade_batch(
    key: QuestionKey,
    responses: Sequence[Any],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
) -> list[Result]:
    """Score every response to one question. Identical responses are scored once.

    Free text goes to the trained grader as one batch (one model call for every distinct answer)
    and is calibrated with `examples`, the instructor's scores on other answers to the question.
    """
    if key.kind not in OBJECTIVE_KINDS:
        texts = [_as_text(r) for r in responses]
        return grade_free_text_trained(key, texts, examples=examples, embedder=embedder)
    cache: dict[str, Result] = {}
    results = []
    for response in responses:
        dedup = _dedup_key(response)
        if dedup not in cache:
            cache[dedup] = grade_objective(key, response)
        results.append(cache[dedup])
    return results
