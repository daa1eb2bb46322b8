"""Free-text grading with the trained model (grader "ft-3"; on trial, chosen by name: batch.py).

The same transparent scoring as the previous grader (`free_text.py`: per key point, meaning by
embedding cosine and terms by word matching, a logistic per point, the whole answer against the
reference, caps for keyword bags and restated questions, calibration from graded examples), with
what training changed:

* the embedder: multilingual-e5-small fine-tuned on graded answers so that the cosine of a key
  point and an answer follows how much of the point the answer covers, and falls for answers
  that reuse the reference's words to say the opposite;
* the constants (`coverage.Tuning`), refitted by maximum likelihood for that embedder;
* a contradiction head per key point, so a point is covered, partly covered, missing or
  contradicted, each with the segment of the answer that covers it.

If the model cannot be loaded, the previous grader grades instead, with one logged warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from .free_text import FREE_TEXT_GRADER_VERSION, grade_free_text
from .trained_model import ModelUnavailable, TrainedModel, default_model
from .types import Embedder, GradedExample, QuestionKey, Result

logger = logging.getLogger(__name__)

GRADER_NAME = "ft-3"
_warned: set[str] = set()


def warn_unavailable(exc: ModelUnavailable) -> None:
    """One warning per process and problem: a worker grading thousands of answers logs it once."""
    if str(exc) not in _warned:
        _warned.add(str(exc))
        logger.warning("trained free-text grader unavailable, using the previous grader (ft-2): %s", exc)


def loaded(load: Callable[[], TrainedModel]) -> TrainedModel | None:
    """The model `load` gives, or None (warned once) when it cannot be used: the trained graders
    (this one and cross_text.py) then grade as the previous grader."""
    try:
        return load()
    except ModelUnavailable as exc:
        warn_unavailable(exc)
        return None


def grader_version(model: TrainedModel, name: str = GRADER_NAME) -> str:
    """The grader, its model's version and the formula's it scores with (terms and caps are ft-2's)."""
    return f"{name}:{model.version}+{FREE_TEXT_GRADER_VERSION}"


def current_grader() -> str:
    """The version the next free-text results will carry: the trained model's, or the fallback's."""
    model = loaded(default_model)
    return grader_version(model) if model else FREE_TEXT_GRADER_VERSION


def grade_free_text_trained(
    key: QuestionKey,
    responses: Sequence[str],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
    model: TrainedModel | None = None,
) -> list[Result]:
    """Score a batch of answers to one question with the trained model (or the previous grader)."""
    model = model or loaded(default_model)
    if model is None:
        return grade_free_text(key, responses, examples=examples, embedder=embedder)
    return grade_free_text(
        key,
        responses,
        examples=examples,
        embedder=model.embedder,
        tuning=model.tuning,
        version=grader_version(model),
        contradiction=model.contradiction,
    )
