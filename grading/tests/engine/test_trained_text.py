"""The shipped trained grader on real questions of the course bank, in Chinese and English.

The answers here were written for these tests and are in no training file: a complete answer,
a partial one, one that reuses the reference's words while saying the opposite, and an
off-topic one, per question and language. The shipped model must order them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from grading.engine import trained_model
from grading.engine.batch import grade_batch
from grading.engine.cli import main as cli_main
from grading.engine.trained_model import ARTIFACT, ARTIFACT_SHA256, TrainedModel
from grading.engine.trained_text import grade_free_text_trained
from grading.engine.types import GradedExample, QuestionKey, RubricPoint
from grading.training.data import load_rubrics

ROOT = Path(__file__).resolve().parents[3]
RUBRICS = ROOT / "bank" / "deep_learning_ch8-14.rubrics.yaml"

ANSWERS = {
    "9.1": {
        "zh": {
            "covered": "在非定向攻击的损失基础上再加一项：让模型的输出离我们指定的目标类别越近越好，同时离正确答案越远越好；"
            "还要求加的扰动人眼察觉不到。然后固定网络参数，对输入图片做梯度下降，求出这个扰动。",
            "partial": "定向攻击要保证加的扰动很小，人看不出来。",
            "contradicting": "定向攻击就是让模型输出和攻击目标之间的距离越大越好，而且扰动可以很明显，不需要不可察觉。",
            "off_topic": "卷积神经网络用卷积核提取图像的局部特征，池化层用来降低分辨率。",
        },
        "en": {
            "covered": "Start from the non-targeted loss (the negative cross entropy with the true label) and add a term "
            "that pulls the output towards the chosen target class, so the distance between the prediction and the "
            "target gets small; the perturbation must stay imperceptible, and we optimise the input image by "
            "gradient descent while the network stays fixed.",
            "partial": "The noise added to the image has to be very small so that people cannot notice it.",
            "contradicting": "For a targeted attack we make the distance between the output and the target class as "
            "large as possible, and the perturbation does not need to be imperceptible.",
            "off_topic": "A GAN trains a generator and a discriminator against each other.",
        },
    },
    "8.II.1": {
        "en": {
            "covered": "BERT = Bidirectional Encoder Representations from Transformers; GPT = Generative Pre-trained Transformer.",
            "partial": "BERT stands for Bidirectional Encoder Representations from Transformers.",
            "contradicting": "BERT is the Generative Pre-training Transformer and GPT is Bidirectional Encoder "
            "Representations from Transformers.",
            "off_topic": "Both are convolutional networks used for image classification.",
        },
        "zh": {
            "covered": "BERT 的全称是 Bidirectional Encoder Representations from Transformers，"
            "GPT 的全称是 Generative Pre-training Transformer。",
            "partial": "BERT 的全称是 Bidirectional Encoder Representations from Transformers，GPT 我忘了。",
            "contradicting": "BERT 的全称是 Generative Pre-training Transformer，GPT 的全称是 Bidirectional Encoder "
            "Representations from Transformers。",
            "off_topic": "它们都是用来做图像分类的卷积神经网络。",
        },
    },
    "10.2": {
        "en": {
            "covered": "A local explanation answers why the model made this particular decision for one input; a "
            "global explanation answers what the whole model has learned, for example what it thinks a class looks like.",
            "partial": "A local explanation tells us why the model decided this for one example.",
            "contradicting": "A local explanation explains the whole model, while a global explanation explains why "
            "one single decision was made for one input.",
            "off_topic": "Dropout randomly removes neurons during training to reduce overfitting.",
        },
        "zh": {
            "covered": "局部解释回答的是：模型为什么对这一个输入做出这个决定；全局解释回答的是：整个模型学到了什么，"
            "比如它认为某一类长什么样。",
            "partial": "局部解释就是解释模型对某一个样本为什么这样判断。",
            "contradicting": "局部解释是解释整个模型学到了什么，全局解释是解释模型对某一个样本为什么做出这个决定。",
            "off_topic": "Dropout 在训练时随机丢弃神经元，用来减少过拟合。",
        },
    },
}


@cache
def bank_rows() -> dict[str, dict]:
    """Question and reference of the bank's questions, as the seed set stores them."""
    rows = {}
    for line in (ROOT / "bench" / "data" / "seed_labelled.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows.setdefault(row["question_id"], row)
    return rows


def key_for(ref: str, lang: str) -> QuestionKey:
    row = bank_rows()[ref]
    rubric = load_rubrics(RUBRICS).get(ref)
    points = tuple(RubricPoint(t, w) for t, w in zip(*rubric, strict=True)) if rubric else ()
    return QuestionKey(
        kind="free_text", max_points=10, prompt=row["question"], reference=row["reference"], rubric=points, lang=lang
    )


@pytest.fixture(scope="module")
def shipped() -> TrainedModel:
    return TrainedModel(ARTIFACT, ARTIFACT_SHA256)


def test_the_shipped_model_file_is_present_and_verified(shipped):
    assert ARTIFACT_SHA256, "ARTIFACT_SHA256 must name the committed model's digest"
    assert shipped.digest == ARTIFACT_SHA256
    assert ARTIFACT.stat().st_size < 40e6


CASES = [(ref, lang) for ref, by_lang in ANSWERS.items() for lang in by_lang]


@pytest.mark.parametrize(("ref", "lang"), CASES)
def test_covered_partial_contradicting_and_off_topic_answers_are_ordered(shipped, ref, lang):
    answers = ANSWERS[ref][lang]
    results = dict(
        zip(answers, grade_free_text_trained(key_for(ref, lang), list(answers.values()), model=shipped), strict=True)
    )
    score = {kind: r.score for kind, r in results.items()}
    assert score["covered"] >= 7.0, score
    assert score["covered"] > score["partial"] > score["off_topic"], score
    assert score["partial"] > score["contradicting"] or score["contradicting"] < 5.0, score
    assert score["covered"] - score["contradicting"] >= 3.0, score


@pytest.mark.parametrize(("ref", "lang"), CASES)
def test_each_key_point_gets_its_own_judgement(shipped, ref, lang):
    answers = ANSWERS[ref][lang]
    covered, off_topic = grade_free_text_trained(
        key_for(ref, lang), [answers["covered"], answers["off_topic"]], model=shipped
    )
    assert all(p.state in ("covered", "partly", "missing", "contradicted") for p in covered.key_points)
    assert sum(p.state == "covered" for p in covered.key_points) >= len(covered.key_points) / 2
    assert not any(p.state == "covered" for p in off_topic.key_points)
    assert covered.feedback.splitlines()[0].startswith(("Covered", "已答到"))


def test_an_english_answer_to_a_chinese_reference_is_judged_by_meaning(shipped):
    key = key_for("9.1", "en")
    [result] = grade_free_text_trained(key, [ANSWERS["9.1"]["en"]["covered"]], model=shipped)
    assert result.score >= 7.0


def test_graded_examples_move_scores_towards_the_instructors(shipped):
    """A strict instructor who gives partial answers 1 of 10: the remaining partial answers follow."""
    key = key_for("10.2", "en")
    partials = [
        "Local explanation: why this one input got its label.",
        "A local explanation is about one decision of the model.",
        "Local explanations look at single predictions.",
        "Local explanation explains the decision for one example.",
    ]
    strict = [GradedExample(text, 1.0) for text in partials[:3]] + [
        GradedExample(ANSWERS["10.2"]["en"]["covered"], 10.0)
    ]
    [before] = grade_free_text_trained(key, [partials[3]], model=shipped)
    [after] = grade_free_text_trained(key, [partials[3]], examples=strict, model=shipped)
    assert after.details["calibrated"] and after.details["examples"] == 4
    assert after.score < before.score


def test_grading_is_deterministic(shipped, tmp_path):
    key = key_for("9.1", "zh")
    texts = list(ANSWERS["9.1"]["zh"].values())
    first = grade_free_text_trained(key, texts, model=shipped)
    again = grade_free_text_trained(key, texts, model=TrainedModel(ARTIFACT, ARTIFACT_SHA256))
    assert [(r.score, r.feedback, r.confidence) for r in first] == [(r.score, r.feedback, r.confidence) for r in again]
    rows = [
        {
            "id": i,
            "question_id": "9.1",
            "question": key.prompt,
            "reference": key.reference,
            "answer": t,
            "max_points": 10,
        }
        for i, t in enumerate(texts)
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    outputs = []
    for name in ("a.jsonl", "b.jsonl"):
        assert cli_main(["score", "--input", str(source), "--output", str(tmp_path / name)]) == 0
        outputs.append((tmp_path / name).read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    assert set(json.loads(outputs[0].splitlines()[0])) == {"id", "score", "confidence", "needs_review", "feedback"}


def test_the_default_grader_is_the_trained_one():
    [result] = grade_batch(key_for("9.1", "en"), [ANSWERS["9.1"]["en"]["partial"]])
    assert result.details["grader"].startswith("ft-3:")
    assert trained_model.default_model().digest == ARTIFACT_SHA256
