"""The scoring core's entry point: one question's key plus a batch of responses in, results out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .objective import grade_objective
from .trained_text import grade_free_text_trained
from .types import OBJECTIVE_KINDS, Embedder, GradedExample, QuestionKey, Result


def _dedup_key(response: Any) -> str:
    return json.dumps(response, ensure_ascii=False, sort_keys=True, default=str)


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
        texts = ["" if r is None else r if isinstance(r, str) else "\n".join(map(str, r)) for r in responses]
        return grade_free_text_trained(key, texts, examples=examples, embedder=embedder)
    cache: dict[str, Result] = {}
    results = []
    for response in responses:
        dedup = _dedup_key(response)
        if dedup not in cache:
            cache[dedup] = grade_objective(key, response)
        results.append(cache[dedup])
    return results
