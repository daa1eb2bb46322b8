"""From evidence to a raw free-text score: the grader's formula, in one place, vectorised.

The evidence of an answer (`Evidence`) is what the embedding model and the term matcher found:
per key point the best cosine between the point and the answer or any of its segments, and the
share of the point's terms present; the whole answer's cosine to each reference and to the
prompt; the Chinese share of every text. `score_many` turns the evidence of many answers into
per-point strengths and raw scores with the `Tuning` constants:

* cosines move onto one scale by a per-language-pair offset (`Tuning.offsets`);
* a point's strength = sigmoid(a * (cosine - penalty - c) + b * (term share - d)), where the
  penalty is how much closer the answer is to the prompt than to the reference;
* raw score = (1 - ref_share) x weighted mean of the strengths + ref_share x the same logistic
  on the whole answer against the reference(s).

The grader calls it for one batch of answers; training fits the constants by calling it on every
graded answer at once (`grading/training/fit.py`), so both use exactly this formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# Cosine offsets for the bundled e5 per (answer language, other text language): it puts two
# Chinese texts closer together than two English ones (unrelated key points of the seed bank:
# 0.878 vs 0.830) and an English answer further from a Chinese reference (0.800).
E5_OFFSETS = (0.0, -0.045, 0.045, 0.02)  # (en, en), (zh, zh), (en, zh), (zh, en)


@dataclass(frozen=True)
class Tuning:
    """Scoring constants shared by every question (per-question adjustment comes only from
    graded examples, calibration.py). The defaults are the previous grader's, fitted by maximum
    likelihood on SciEntsBank train with the bundled e5 (zero-shot macro-F1 0.69)."""

    sem_slope: float = 13.5  # logit per unit of cosine similarity
    sem_center: float = 0.872  # cosine at which meaning alone is undecided
    lex_slope: float = 2.9  # logit per unit of weighted term recall
    lex_center: float = 0.42
    ref_share: float = 0.56  # share of the whole-answer-vs-reference strength in the score
    prompt_penalty: float = 0.3  # cosine taken off per unit the answer is closer to the prompt than the reference
    offsets: tuple[float, float, float, float] = E5_OFFSETS

    def as_vector(self) -> np.ndarray:
        return np.array([*(getattr(self, n) for n in SCALARS), *self.offsets], dtype=float)

    @classmethod
    def from_vector(cls, values: Sequence[float]) -> Tuning:
        values = [float(v) for v in values]
        return cls(**dict(zip(SCALARS, values[: len(SCALARS)], strict=True)), offsets=tuple(values[len(SCALARS) :]))  # type: ignore[arg-type]


SCALARS = ("sem_slope", "sem_center", "lex_slope", "lex_center", "ref_share", "prompt_penalty")


@dataclass
class Evidence:
    """What was found for one answer (cosines raw: before the language offsets)."""

    point_sem: np.ndarray  # [k] best cosine of each key point with the answer or a segment
    point_zh: np.ndarray  # [k] Chinese share of each point
    point_lex: np.ndarray  # [k] weighted share of the point's terms in the answer
    weights: np.ndarray  # [k] rubric weights
    answer_zh: float
    ref_sims: np.ndarray = field(default_factory=lambda: np.zeros(0))  # [r] whole answer vs each reference
    ref_zh: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ref_lex: float = 0.0
    prompt_sim: float | None = None  # whole answer vs the prompt (None: no prompt)
    prompt_zh: float = 0.0


def lang_offset(answer_zh: np.ndarray, text_zh: np.ndarray, offsets: Sequence[float]) -> np.ndarray:
    """Bilinear interpolation of the four offsets between the two texts' Chinese shares."""
    en_en, zh_zh, en_zh, zh_en = offsets
    a, t = np.asarray(answer_zh, dtype=float), np.asarray(text_zh, dtype=float)
    return (1 - a) * (1 - t) * en_en + a * t * zh_zh + (1 - a) * t * en_zh + a * (1 - t) * zh_en


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0)))


@dataclass
class Scores:
    strengths: list[np.ndarray]  # per answer, per point
    raw: np.ndarray  # [n]
    coverage: np.ndarray
    ref_sim: np.ndarray  # offset-adjusted, for the features shown in details
    prompt_sim: np.ndarray


@dataclass
class Batch:
    """Many answers' evidence as flat arrays (built once; scored many times when fitting)."""

    point_sem: np.ndarray
    point_zh: np.ndarray
    point_lex: np.ndarray
    point_weight: np.ndarray
    point_answer: np.ndarray
    ref_sim: np.ndarray
    ref_zh: np.ndarray
    ref_answer: np.ndarray
    answer_zh: np.ndarray
    ref_lex: np.ndarray
    has_ref: np.ndarray
    prompt_sim: np.ndarray
    prompt_zh: np.ndarray
    has_prompt: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, items: Sequence[Evidence]) -> Batch:
        def cat(get, dtype=float) -> np.ndarray:
            parts = [np.asarray(get(e), dtype=dtype).ravel() for e in items]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        sizes = np.array([len(e.point_sem) for e in items], dtype=int)
        weights = []
        for e in items:
            w = np.maximum(np.asarray(e.weights, dtype=float), 0.0)
            weights.append(w if w.sum() > 0 else np.ones(len(w)))
        return cls(
            point_sem=cat(lambda e: e.point_sem),
            point_zh=cat(lambda e: e.point_zh),
            point_lex=cat(lambda e: e.point_lex),
            point_weight=np.concatenate(weights) if weights else np.zeros(0),
            point_answer=np.repeat(np.arange(len(items)), sizes),
            ref_sim=cat(lambda e: e.ref_sims),
            ref_zh=cat(lambda e: e.ref_zh),
            ref_answer=np.repeat(np.arange(len(items)), [len(e.ref_sims) for e in items]),
            answer_zh=np.array([e.answer_zh for e in items], dtype=float),
            ref_lex=np.array([e.ref_lex for e in items], dtype=float),
            has_ref=np.array([len(e.ref_sims) > 0 for e in items]),
            prompt_sim=np.array([e.prompt_sim or 0.0 for e in items], dtype=float),
            prompt_zh=np.array([e.prompt_zh for e in items], dtype=float),
            has_prompt=np.array([e.prompt_sim is not None for e in items]),
            sizes=sizes,
        )


def score_batch(b: Batch, t: Tuning) -> Scores:
    n = len(b.answer_zh)
    ref_adj = b.ref_sim + lang_offset(b.answer_zh[b.ref_answer], b.ref_zh, t.offsets)
    ref_sim = np.full(n, -np.inf)
    np.maximum.at(ref_sim, b.ref_answer, ref_adj)
    ref_sim = np.where(b.has_ref, ref_sim, 0.0)
    prompt_sim = np.where(b.has_prompt, b.prompt_sim + lang_offset(b.answer_zh, b.prompt_zh, t.offsets), 0.0)
    penalty = t.prompt_penalty * np.maximum(0.0, prompt_sim - ref_sim)
    sem = b.point_sem + lang_offset(b.answer_zh[b.point_answer], b.point_zh, t.offsets) - penalty[b.point_answer]
    strengths = _sigmoid(t.sem_slope * (sem - t.sem_center) + t.lex_slope * (b.point_lex - t.lex_center))
    coverage = np.bincount(b.point_answer, b.point_weight * strengths, n) / np.maximum(
        np.bincount(b.point_answer, b.point_weight, n), 1e-12
    )
    ref_strength = _sigmoid(t.sem_slope * (ref_sim - penalty - t.sem_center) + t.lex_slope * (b.ref_lex - t.lex_center))
    share = np.where(b.has_ref, t.ref_share, 0.0)
    raw = (1 - share) * coverage + share * ref_strength
    return Scores(
        strengths=np.split(strengths, np.cumsum(b.sizes)[:-1]) if n else [],
        raw=raw,
        coverage=coverage,
        ref_sim=ref_sim,
        prompt_sim=prompt_sim,
    )
