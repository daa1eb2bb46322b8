"""The contrast answers the cross-encoder trains on: each rule makes a correct answer wrong."""

from __future__ import annotations

import random

import pytest

from grading.training.contrast import _pieces as pieces
from grading.training.contrast import antonym, contrast_examples, contrast_of, negation, swap
from grading.training.data import Example

BERT = "BERT = Bidirectional Encoder Representations from Transformers; GPT = Generative Pre-trained Transformer."
BERT_REF = "BERT: Bidirectional Encoder Representations from Transformers. GPT: Generative Pre-training Transformer."


def example(answer: str, reference: str, fraction: float = 1.0, dataset: str = "seed") -> Example:
    return Example(dataset, "seed:8.II.1", "en", "q", ["p"], [1.0], answer, fraction, reference=reference)


def made(rule, answer: str, reference: str = "", seed: int = 0) -> str | None:
    out = rule(pieces(answer), reference, random.Random(seed))
    return None if out is None else "".join(out)


def test_a_swap_trades_two_terms_of_the_reference_everywhere_they_occur():
    answer = "局部解释说明一个决定；全局解释说明整个模型。"
    swapped = {made(swap, answer, "局部解释：一个决定。全局解释：整个模型。", seed) for seed in range(20)}
    assert "全局解释说明一个决定；局部解释说明整个模型。" in swapped
    assert answer not in swapped
    for text in swapped:  # two terms trade places, nothing else changes
        changed = {(a, b) for a, b in zip(pieces(answer), pieces(text), strict=True) if a != b}
        assert len(changed) == 2 and {(b, a) for a, b in changed} == changed


def test_a_swap_leaves_items_of_one_list_alone():
    assert made(swap, "tanken, shop", "tanken und shop") is None


def test_no_swap_without_two_terms_shared_with_the_reference():
    assert made(swap, "The bulb lights.", "A closed path.") is None


@pytest.mark.parametrize(
    ("answer", "wrong"),
    [
        ("The voltage gets larger.", "The voltage gets smaller."),
        ("Local explanations look at one decision.", "Global explanations look at one decision."),
        ("输入越大越好。", "输出越大越好。"),
        ("损失越小越好。", "损失越大越好。"),
        ("Der Wert ist größer.", "Der Wert ist kleiner."),
    ],
)
def test_an_antonym_replaces_one_word_keeping_its_case(answer, wrong):
    assert made(antonym, answer) == wrong


@pytest.mark.parametrize(
    ("answer", "wrong"),
    [
        ("The path is closed.", "The path is not closed."),
        ("The path is not closed.", "The path is closed."),
        ("扰动需要不可察觉。", "扰动不需要不可察觉。"),
        ("它不是生成模型。", "它是生成模型。"),
        ("Die Verbindung ist stabil.", "Die Verbindung ist nicht stabil."),
    ],
)
def test_a_negation_is_added_or_dropped(answer, wrong):
    assert made(negation, answer) == wrong


def test_only_short_correct_answers_are_made_wrong_and_they_score_zero():
    rng = random.Random(1)
    made_wrong = contrast_of(example(BERT, BERT_REF), rng)
    assert made_wrong is not None and made_wrong.fraction == 0.0 and made_wrong.answer != BERT
    assert made_wrong.label.startswith("contrast:") and made_wrong.group == "seed:8.II.1"
    assert contrast_of(example(BERT, BERT_REF, fraction=0.5), rng) is None
    assert contrast_of(example(" ".join([BERT] * 5), BERT_REF), rng) is None


def test_contrast_examples_are_deterministic_and_skip_paraphrase_pairs():
    items = [example(BERT, BERT_REF)] * 40 + [example(BERT, BERT_REF, dataset="sts-zh")] * 40
    first = contrast_examples(items, 0.5, seed=13)
    assert [e.answer for e in first] == [e.answer for e in contrast_examples(items, 0.5, seed=13)]
    assert 10 <= len(first) <= 30 and all(e.dataset == "seed" for e in first)
