"""Per-question calibration from instructor-graded examples (no embeddings needed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.engine.calibration import MIN_EXAMPLES, fit_calibration, fit_shift, knn_vote, logit


def test_too_few_examples_leave_the_score_uncalibrated():
    assert fit_calibration([0.3, 0.7], [0.0, 1.0]) is None
    assert MIN_EXAMPLES == 3


def test_lenient_instructor_raises_scores():
    # the engine gave 0.35-0.45 to answers the instructor accepted
    calibration = fit_calibration([0.35, 0.4, 0.45, 0.1, 0.05], [1.0, 1.0, 1.0, 0.0, 0.0])
    assert calibration is not None
    assert calibration.apply(0.4) > 0.5 > 0.4
    assert calibration.apply(0.05) < 0.2


def test_strict_instructor_lowers_scores():
    calibration = fit_calibration([0.6, 0.65, 0.7, 0.9, 0.95], [0.0, 0.0, 0.0, 1.0, 1.0])
    assert calibration is not None
    assert calibration.apply(0.65) < 0.5 < 0.65
    assert calibration.apply(0.95) > 0.8


def test_unanimous_examples_shift_gently_and_do_not_vote():
    calibration = fit_calibration([0.5, 0.55, 0.6], [0.0, 0.0, 0.0])
    assert calibration is not None and not calibration.vote
    assert 0.2 < calibration.apply(0.55) < 0.55


def test_nearest_example_vote_moves_scores_towards_similar_examples():
    calibration = fit_calibration([0.5, 0.5, 0.5, 0.5], [1.0, 1.0, 0.0, 0.0])
    assert calibration is not None and calibration.vote
    like_the_good_ones = np.array([0.95, 0.94, 0.80, 0.79])
    like_the_bad_ones = np.array([0.79, 0.80, 0.94, 0.95])
    assert (
        calibration.apply(0.5, like_the_good_ones) > calibration.apply(0.5) > calibration.apply(0.5, like_the_bad_ones)
    )


def test_knn_vote_is_led_by_the_closest_example():
    assert knn_vote(np.array([0.9, 0.7, 0.7]), np.array([1.0, 0.0, 0.0])) > 0.99
    assert knn_vote(np.array([0.8, 0.8]), np.array([1.0, 0.0])) == pytest.approx(0.5)


def test_fit_shift_solves_the_penalised_likelihood():
    x = logit(np.array([0.2, 0.4, 0.6, 0.8]))
    b = fit_shift(x, np.array([0.0, 0.0, 1.0, 1.0]))
    assert b == pytest.approx(0.0, abs=1e-6)  # already well placed: nothing to move
    assert fit_shift(x, np.array([0.0, 0.0, 0.0, 1.0])) > 0  # stricter: threshold moves up


@given(
    st.lists(st.tuples(st.floats(0, 1), st.sampled_from([0.0, 0.5, 1.0])), min_size=3, max_size=12),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_calibration_is_monotone_and_bounded(examples, a, b):
    raws, fractions = zip(*examples, strict=True)
    calibration = fit_calibration(raws, fractions)
    assert calibration is not None
    lo, hi = sorted((a, b))
    assert 0.0 <= calibration.apply(lo) <= calibration.apply(hi) <= 1.0
