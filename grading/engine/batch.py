"""The scoring core's entry point: one question's key plus a batch of responses in, results out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from . import cross_text, trained_text
from .free_text import FREE_TEXT_GRADER_VERSION, dedupe_key, grade_free_text
from .objective import OBJECTIVE_GRADER_VERSION, grade_objective
from .types import OBJECTIVE_KINDS, Embedder, GradedExample, QuestionKey, Result


class FreeTextGrader(Protocol):
    def __call__(
        self,
        key: QuestionKey,
        responses: Sequence[str],
        *,
        examples: Sequence[GradedExample] = (),
        embedder: Embedder | None = None,
    ) -> list[Result]: ...


# The free-text graders by name (docs/grading-model.md): "ft-2" the similarity-and-terms grader;
# "ft-3" the same scoring with a fine-tuned embedder and refitted constants; "ft-4" ft-2's scoring
# blended with a trained cross-encoder that reads the reference and the answer together. A
# trained grader falls back to ft-2 (with a warning) when its model cannot be loaded. The default
# is the one that measured best held out (bench/accuracy.py, fold 0): ft-4 beat ft-2 on six sets
# of seven; ft-3 did not beat ft-2 and stays a choice for trial.
FREE_TEXT_GRADERS: dict[str, FreeTextGrader] = {
    "ft-2": grade_free_text,
    "ft-3": trained_text.grade_free_text_trained,
    "ft-4": cross_text.grade_free_text_cross,
}
# What each grader's results will carry as their version (a trained one's falls back to ft-2's).
_CURRENT_VERSION = {
    "ft-2": lambda: FREE_TEXT_GRADER_VERSION,
    "ft-3": trained_text.current_grader,
    "ft-4": cross_text.current_grader,
}
DEFAULT_FREE_TEXT_GRADER = "ft-4"


def free_text_grader_of(name: str) -> FreeTextGrader:
    try:
        return FREE_TEXT_GRADERS[name]
    except KeyError:
        raise ValueError(f"unknown free-text grader {name!r}; one of {sorted(FREE_TEXT_GRADERS)}") from None


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


def grader_version(key: QuestionKey, free_text_grader: str = DEFAULT_FREE_TEXT_GRADER) -> str:
    """The grader (and its version) that `grade_batch` would use for `key` now, as stored on the
    results: ft-2's, or the trained model's version (ft-2's when the model cannot be loaded)."""
    if key.kind in OBJECTIVE_KINDS:
        return OBJECTIVE_GRADER_VERSION
    free_text_grader_of(free_text_grader)
    return _CURRENT_VERSION[free_text_grader]()


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
        grader = free_text_grader_of(free_text_grader)
        return grader(key, [_as_text(r) for r in responses], examples=examples, embedder=embedder)
    cache: dict[str, Result] = {}
    results = []
    for response in responses:
        dedup = _dedup_key(response)
        if dedup not in cache:
            cache[dedup] = grade_objective(key, response)
        results.append(cache[dedup])
    return results
