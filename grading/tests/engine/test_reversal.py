"""Reversed key points: an answer that states a point's objective or requirement with the opposite word."""

from __future__ import annotations

import pytest

from grading.engine.free_text import grade_free_text
from grading.engine.reversal import point_sides, reversed_points
from grading.engine.types import QuestionKey, RubricPoint

PROMPT = "How is a targeted attack on a classifier made?"
POINTS = [
    ("让输出与目标类别的距离(交叉熵)越小越好。", ["目标类别", "交叉熵", "target class", "cross entropy", "distance"]),
    ("The perturbation must be imperceptible: the attacked image stays within ε of the original.", ["扰动", "ε"]),
    ("非定向攻击的损失是交叉熵加负号:最小化它,输出就远离正确答案。", ["负号", "正确答案", "true label"]),
]
KEY = QuestionKey(
    kind="free_text",
    max_points=10,
    prompt=PROMPT,
    reference="Make the output close to the target class (cross entropy small); the perturbation imperceptible.",
    rubric=tuple(RubricPoint(text, 1.0, tuple(keywords)) for text, keywords in POINTS),
)


@pytest.fixture(scope="module")
def points():
    return point_sides(PROMPT, POINTS)


def test_points_take_a_side_unless_a_sign_word_can_turn_it(points):
    assert points[0].sides == {0: 0}  # 越小: the smaller the better
    assert points[1].sides == {2: 0}  # imperceptible
    assert points[2].sides == {}  # 负号: minimising a negated loss is maximising the loss


@pytest.mark.parametrize(
    ("answer", "reversed_"),
    [
        ("The distance between the output and the target class should be as large as possible.", {0}),
        ("输出和目标类别之间的距离(交叉熵)越大越好。", {0}),
        ("The perturbation of the image should be obvious, far from the original within ε.", {1}),
        ("The distance to the target class as small as possible, and the perturbation imperceptible.", set()),
        # both sides in one clause, or a clause about no point in particular: nothing is read
        ("The distance to the target class: neither as large as possible nor as small as possible.", set()),
        ("Make it as large as possible.", set()),
        # the sign point is never reversed: "maximise the cross entropy with the true label" is right
        ("Maximise the cross entropy with the true label (正确答案).", set()),
    ],
)
def test_an_opposite_word_in_the_clause_about_a_point_reverses_it(points, answer, reversed_):
    assert reversed_points(answer, points) == reversed_


def test_no_point_with_a_side_means_nothing_to_read():
    assert point_sides("Why?", [("The bulb is in a closed path.", [])]) is None
    assert reversed_points("as large as possible", None) == set()


def test_the_grader_gives_a_reversed_point_no_credit_and_says_so():
    right, turned = grade_free_text(
        KEY,
        [
            "Make the distance to the target class (cross entropy) as small as possible; the perturbation must be imperceptible, within ε.",
            "Make the distance to the target class (cross entropy) as large as possible; the perturbation must be imperceptible, within ε.",
        ],
    )
    assert turned.details["reversed"] == [0] and "reversed" not in right.details
    assert turned.key_points[0].state == "contradicted" and turned.key_points[0].strength == 0
    assert right.score - turned.score >= 2.0
