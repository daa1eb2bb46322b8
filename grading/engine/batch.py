"""The scoring core's entry point: one question's key plus a batch of responses in, results out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from .free_text import grade_free_text
from .objective import grade_objective
from .trained_text import grade_free_text_trained
from .types import OBJECTIVE_KINDS, Embedder, GradedExample, QuestionKey, Result


# The free-text graders by name (docs/grading-model.md): "ft-2" the similarity-and-terms grader,
# "ft-3" the same scoring with the trained embedder and constants (falls back to ft-2 if its model
# cannot be loaded). The default is the one that measured best held out (bench/accuracy.py): on
# fold 0 of the question-grouped cross-validation ft-3 did not beat ft-2 (docs/grading-model.md),
# so ft-3 is shipped for trial (GRADING_FREE_TEXT_GRADER=ft-3) and ft-2 grades by default.
class FreeTextGrader(Protocol):
    def __call__(
        self,
        key: QuestionKey,
        responses: Sequence[str],
        *,
        examples: Sequence[GradedExample] = (),
        embedder: Embedder | None = None,
    ) -> list[Result]: ...


FREE_TEXT_GRADERS: dict[str, FreeTextGrader] = {"ft-2": grade_free_text, "ft-3": grade_free_text_trained}
DEFAULT_FREE_TEXT_GRADER = "ft-2"


def _dedup_key(response: Any) -> str:
    return json.dumps(response, ensure_ascii=False, sort_keys=True, default=str)


def grade_batch(
    key: QuestionKey,
    responses: Sequence[Any],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
    free_text_grader: str = DEFAULT_FREE_TEXT_GRADER,
) -> list[Result]:
    """Score every response to one question. Identical responses are scored once.

    Free text goes to `free_text_grader` as one batch (one model call for every distinct answer)
    and is calibrated with `examples`, the instructor's scores on other answers to the question.
    """
    if key.kind not in OBJECTIVE_KINDS:
        try:
            grader = FREE_TEXT_GRADERS[free_text_grader]
        except KeyError:
            raise ValueError(
                f"unknown free-text grader {free_text_grader!r}; one of {sorted(FREE_TEXT_GRADERS)}"
            ) from None
        texts = ["" if r is None else r if isinstance(r, str) else "\n".join(map(str, r)) for r in responses]
        return grader(key, texts, examples=examples, embedder=embedder)
    cache: dict[str, Result] = {}
    results = []
    for response in responses:
        dedup = _dedup_key(response)
        if dedup not in cache:
            cache[dedup] = grade_objective(key, response)
        results.append(cache[dedup])
    return results
