"""The scoring core's entry point: one question's key plus a batch of responses in, results out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .objective import grade_objective
from .types import OBJECTIVE_KINDS, Embedder, GradedExample, QuestionKey, Result

ENGINE_VERSION = "engine-1"


def _pending(key: QuestionKey) -> Result:
    """A free-text answer waiting for a person: no score yet, flagged for review."""
    return Result(
        score=0.0, max_points=key.max_points, feedback="", confidence=0.0, needs_review=True,
        details={"pending": True, "grader": "pending"},
    )


def _dedup_key(response: Any) -> str:
    return json.dumps(response, ensure_ascii=False, sort_keys=True, default=str)


def grade_batch(
    key: QuestionKey,
    responses: Sequence[Any],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
) -> list[Result]:
    """Score every response to one question. Identical responses are scored once."""
    if key.kind not in OBJECTIVE_KINDS:
        return [_pending(key) for _ in responses]
    cache: dict[str, Result] = {}
    results = []
    for response in responses:
        dedup = _dedup_key(response)
        if dedup not in cache:
            cache[dedup] = grade_objective(key, response)
        results.append(cache[dedup])
    return results
