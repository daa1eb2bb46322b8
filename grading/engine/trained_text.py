"""Free-text grading by the trained judge (grader "ft-3"): correctness, not closeness.

One pass of the judge per distinct answer reads the question, the rubric's key points and the
answer together (`judge_input.py`) and gives, per key point, the probability that the answer
covers it and that it contradicts it, and an overall probability that the answer is right.
The score is the mean of the overall head and the rubric-weighted points (`judge.combine`), so
the points a teacher sees explain the score. With graded examples of the same question
(overrides, graded samples), the fraction is calibrated per question (`calibration.py`: a
logit shift plus a vote of the nearest examples, nearness read from the judge's own vectors).

Keyword bags are still recognised by their form and capped; empty answers score 0 for certain;
a key without reference or rubric goes to a person. If the model cannot be loaded the previous
grader (`free_text.py`, "ft-2") grades instead, with a logged warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import lexical
from .calibration import Calibration, fit_calibration, round_score
from .free_text import (
    REVIEW_FLAGS,
    SCORE_STEP,
    STUFFING_CAP,
    Answer,
    KeyContext,
    _as_text,
    _fixed,
    _is_a_bag,
    _states_a_term,
    build_context,
    build_feedback,
    dedupe_key,
    grade_free_text,
    prepare_answer,
    tidy,
)
from .judge import Judge, JudgeUnavailable, combine, default_judge
from .judge_input import judge_text
from .types import Embedder, GradedExample, KeyPointFeedback, PointState, QuestionKey, Result

logger = logging.getLogger(__name__)

GRADER_NAME = "ft-3"
COVERED_AT = 0.6  # a point's covered probability from here is "covered"...
PARTLY_AT = 0.35  # ...from here "partly", below "missing"
CONTRADICTED_AT = 0.5  # ...and "contradicted" when the answer says the opposite
REVIEW_BELOW = 0.7  # answers whose pass/fail decision is less likely right go to a person
REPEAT_CAP = 0.2
# Probability that the pass/fail decision is right, by distance of the score fraction from the
# pass mark (upper bounds of the bands, then the accuracy measured in question-grouped
# cross-validation over ../shared/data/asag and the team's answers; see docs/grading-model.md).
DECISION_ACCURACY = ((0.05, 0.55), (0.1, 0.62), (0.2, 0.72), (0.3, 0.82), (0.4, 0.9), (1.0, 0.95))


_warned: set[str] = set()


def _warn_once(exc: JudgeUnavailable) -> None:
    """One warning per process and problem: a worker grading thousands of answers logs it once."""
    if str(exc) not in _warned:
        _warned.add(str(exc))
        logger.warning("trained free-text grader unavailable, using the previous grader (ft-2): %s", exc)


def grader_version(judge: Judge) -> str:
    return f"{GRADER_NAME}:{judge.version}:{judge.digest[:8]}"


def decision_confidence(fraction: float) -> float:
    distance = abs(fraction - 0.5)
    return next(acc for bound, acc in DECISION_ACCURACY if distance <= bound)


def point_state(covered: float, contradicted: float) -> PointState:
    if covered >= COVERED_AT:
        return "covered"
    if contradicted >= CONTRADICTED_AT:
        return "contradicted"
    return "partly" if covered >= PARTLY_AT else "missing"


def grade_free_text_trained(
    key: QuestionKey,
    responses: Sequence[str],
    *,
    examples: Sequence[GradedExample] = (),
    embedder: Embedder | None = None,
    judge: Judge | None = None,
) -> list[Result]:
    """Score a batch of answers to one question; identical (normalised) answers are judged once."""
    try:
        judge = judge or default_judge()
    except JudgeUnavailable as exc:
        _warn_once(exc)
        return grade_free_text(key, responses, examples=examples, embedder=embedder)
    ctx = build_context(key)
    keys = [dedupe_key(_as_text(r)) for r in responses]
    if not ctx.rubric:
        return [_fixed(ctx, "empty" if not k else "no_reference") for k in keys]
    graded = [(dedupe_key(_as_text(e.response)), tidy(_as_text(e.response)), e.score) for e in examples]
    distinct: dict[str, str] = {}
    for k, text in [*zip(keys, (tidy(_as_text(r)) for r in responses), strict=True), *((k, t) for k, t, _ in graded)]:
        if k and k not in distinct:
            distinct[k] = text
    answers = {k: prepare_answer(text, ctx) for k, text in distinct.items()}
    order = list(answers)
    weights = [p.weight for p in ctx.rubric]
    outputs = judge.run([judge_text(ctx.prompt, ctx.points, answers[k].text, judge.count_tokens) for k in order])
    judged = {k: combine(outputs, i, weights) for i, k in enumerate(order)}
    vectors = {k: outputs.vectors[i] for i, k in enumerate(order)}
    calibration, example_vecs = _fit(key, graded, judged, vectors)
    version = grader_version(judge)
    results = {
        k: _result(ctx, answers[k], judged[k], calibration, example_vecs, vectors[k], version, len(graded))
        for k in dict.fromkeys(keys)
        if k
    }
    return [results[k] if k else _fixed(ctx, "empty") for k in keys]


def _fit(
    key: QuestionKey, graded: list[tuple[str, str, float]], judged: dict, vectors: dict
) -> tuple[Calibration | None, np.ndarray | None]:
    if not graded or key.max_points <= 0:
        return None, None
    raws = [judged[k][0] if k else 0.0 for k, _, _ in graded]
    calibration = fit_calibration(raws, [score / key.max_points for _, _, score in graded])
    if calibration is None:
        return None, None
    dim = next(iter(vectors.values())).shape[0]
    return calibration, np.stack([vectors[k] if k else np.zeros(dim, dtype=np.float32) for k, _, _ in graded])


def _evidence(ctx: KeyContext, answer: Answer, point: int) -> str:
    """The answer's segment sharing most of the point's terms (bilingual keywords count), if any."""
    best, best_score = "", 0.0
    for segment in answer.segments:
        score = lexical.weighted_recall(ctx.point_items[point], lexical.answer_terms(segment))
        if score > best_score:
            best, best_score = segment, score
    return best if best_score >= 0.2 else ""


def _flags(ctx: KeyContext, answer: Answer, fraction: float) -> list[str]:
    flags = ["truncated"] if answer.truncated else []
    if _is_a_bag(ctx, answer) and not _states_a_term(ctx, answer.text):
        flags.append("keyword_stuffing")
    content = answer.terms.core
    novel = content - ctx.prompt_terms
    ref_lex = lexical.weighted_recall(ctx.ref_items, answer.terms) if ctx.ref_items else 0.0
    if content and len(novel) <= 0.2 * len(content) and ref_lex < 0.25 and fraction < 0.5:
        flags.append("repeats_question")
    return flags


def _result(
    ctx: KeyContext,
    answer: Answer,
    judged: tuple[float, list[float], list[float]],
    calibration: Calibration | None,
    example_vecs: np.ndarray | None,
    vector: np.ndarray,
    version: str,
    n_examples: int,
) -> Result:
    raw, covered, contradicted = judged
    fraction = raw
    if calibration is not None and example_vecs is not None:
        fraction = calibration.apply(raw, example_vecs @ vector)
    flags = _flags(ctx, answer, fraction)
    if "keyword_stuffing" in flags:
        fraction = min(fraction, STUFFING_CAP)
    if "repeats_question" in flags and calibration is None:
        fraction = min(fraction, REPEAT_CAP)
    points = []
    for i, (point, cov, con) in enumerate(zip(ctx.rubric, covered, contradicted, strict=True)):
        state = point_state(cov, con)
        evidence = _evidence(ctx, answer, i) if state in ("covered", "partly") else ""
        points.append(
            KeyPointFeedback(
                text=point.text, covered=state == "covered", strength=round(cov, 3), state=state, evidence=evidence
            )
        )
    confidence = decision_confidence(fraction)
    details: dict[str, Any] = {
        "grader": version,
        "calibrated": calibration is not None,
        "examples": n_examples,
        "fraction": round(fraction, 4),
        "raw": round(raw, 4),
        "rubric_source": "key" if ctx.key.rubric else "proposed",
        "contradicted": [round(c, 3) for c in contradicted],
    }
    return Result(
        score=round_score(fraction, ctx.key.max_points, SCORE_STEP),
        max_points=ctx.key.max_points,
        feedback=build_feedback(ctx.key.lang, points, flags),
        confidence=confidence,
        needs_review=confidence < REVIEW_BELOW or bool(REVIEW_FLAGS.intersection(flags)),
        grader=version,
        flags=tuple(flags),
        key_points=tuple(points),
        details=details,
    )
