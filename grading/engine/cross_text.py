"""Free-text grading with the cross-encoder: grader "ft-4", the platform's default
(`bench/accuracy.py --grader ft-4` measures it held out; docs/grading-model.md).

The previous grader's transparent scoring (`free_text.py`: per key point, meaning by the bundled
e5's cosine and terms by word matching; the caps, the review rule, calibration from graded
examples) plus one more reading per answer: the cross-encoder trained by
`python -m grading.training --cross --qat` reads the reference and the answer as one text
(`pair_text.py`) and gives the probability that the answer is right; the raw score blends the
two (`PAIR_SHARE`). It is meant to tell an answer that says the opposite of the
reference with its words from one that says the same; the key points keep the formula's
judgements and evidence, so the review page shows what was found where.

If the model cannot be loaded, the previous grader grades instead, with one logged warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import trained_text
from .free_text import FREE_TEXT_GRADER_VERSION, grade_free_text
from .pair_text import pair_text
from .trained_model import TrainedModel, default_cross_model
from .trained_text import loaded
from .types import Embedder, GradedExample, QuestionKey, Result

GRADER_NAME = "ft-4"
# Weight of the cross-encoder in the raw score. On fold 0 of the benchmark (zero-shot) 0.3 beat
# ft-2 on six sets of seven; 0.5 and 0.7 gained on Beetle and SAF German and lost more on
# SciEntsBank, SAF English and LE (docs/grading-model.md).
PAIR_SHARE = 0.3


@dataclass
class CrossPairScorer:
    model: TrainedModel
    share: float = PAIR_SHARE

    def __call__(self, reference: str, answers: Sequence[str]) -> np.ndarray:
        assert self.model.pair_head is not None
        vectors = self.model.embedder.embed([pair_text(reference, answer) for answer in answers])
        return self.model.pair_head(vectors)


def grader_version(model: TrainedModel) -> str:
    return trained_text.grader_version(model, GRADER_NAME)


def current_grader() -> str:
    """The version the next free-text results will carry: the cross model's, or the fallback's."""
    model = loaded(default_cross_model)
    return grader_version(model) if model else FREE_TEXT_GRADER_VERSION


def grade_free_text_cross(
    key: QuestionKey,
    responses: Sequence[str],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
    model: TrainedModel | None = None,
    share: float = PAIR_SHARE,
) -> list[Result]:
    """Score a batch of answers to one question with the cross-encoder (or the previous grader);
    `share` is the cross-encoder's weight in the raw score (the benchmark tries others)."""
    model = model or loaded(default_cross_model)
    if model is None:
        return grade_free_text(key, responses, examples=examples, embedder=embedder)
    return grade_free_text(
        key,
        responses,
        examples=examples,
        embedder=embedder,
        version=grader_version(model),
        pair=CrossPairScorer(model, share),
    )
