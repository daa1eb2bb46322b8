"""Swapped key points: an answer that gives each of the question's subjects the other's content."""

from __future__ import annotations

import pytest

from grading.engine.crossing import crossed_points, point_terms
from grading.engine.free_text import grade_free_text
from grading.engine.types import QuestionKey, RubricPoint

PROMPT = "What is the full name of BERT and GPT?"
POINTS = [
    ("BERT stands for Bidirectional Encoder Representations from Transformers.", ["双向编码器表示"]),
    ("GPT stands for Generative Pre-trained Transformer.", ["生成式预训练"]),
]
KEY = QuestionKey(
    kind="free_text",
    max_points=10,
    prompt=PROMPT,
    reference="BERT: Bidirectional Encoder Representations from Transformers. GPT: Generative Pre-trained Transformer.",
    rubric=tuple(RubricPoint(text, 1.0, tuple(keywords)) for text, keywords in POINTS),
)
RIGHT = "BERT is Bidirectional Encoder Representations from Transformers and GPT is Generative Pre-trained Transformer."
SWAPPED = (
    "BERT is Generative Pre-trained Transformer and GPT is Bidirectional Encoder Representations from Transformers."
)


@pytest.fixture(scope="module")
def points():
    return point_terms(PROMPT, POINTS)


def test_each_point_has_its_subject_and_its_own_terms(points):
    assert [sorted(p.subjects) for p in points] == [["bert"], ["gpt"]]
    assert "bidirectional" in points[0].own and "generate" in points[1].own
    assert "transform" not in points[0].own  # in both points: it tells them apart from nothing


@pytest.mark.parametrize(
    "answer",
    [
        SWAPPED,
        "BERT 的全称是 Generative Pre-trained Transformer，GPT 的全称是 Bidirectional Encoder Representations from Transformers。",
        "Generative Pre-trained Transformer is BERT, and Bidirectional Encoder Representations from Transformers is GPT.",
    ],
)
def test_a_swap_crosses_both_points(points, answer):
    assert crossed_points(answer, points) == {0, 1}


@pytest.mark.parametrize(
    "answer",
    [
        RIGHT,
        "Bidirectional Encoder Representations from Transformers is BERT and Generative Pre-trained Transformer is GPT.",
        "BERT：Bidirectional Encoder Representations from Transformers；GPT：Generative Pre-trained Transformer。",
        # one-way: BERT compared with GPT's generative training is an aside, not a swap
        "BERT is Bidirectional Encoder Representations from Transformers; unlike GPT it is not generative.",
        "BERT is an encoder.",
    ],
)
def test_right_answers_and_one_way_asides_cross_nothing(points, answer):
    assert crossed_points(answer, points) == set()


def test_a_question_without_two_subjects_has_nothing_to_cross():
    points = point_terms("Why does the bulb light?", [("The bulb is in a closed path.", []), ("The battery.", [])])
    assert points is None and crossed_points(SWAPPED, points) == set()


def test_the_grader_gives_swapped_points_no_credit_and_says_so():
    right, swapped = grade_free_text(KEY, [RIGHT, SWAPPED])
    assert right.score >= 7 and swapped.score < 1
    assert [p.state for p in swapped.key_points] == ["contradicted", "contradicted"]
    assert swapped.details["crossed"] == [0, 1] and "crossed" not in right.details
    assert swapped.feedback.splitlines()[0].startswith("Contradicts:")
