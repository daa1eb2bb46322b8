"""Normalising Chinese/English short answers and reading numbers (plain Python, no Django)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grading.engine.normalize import has_cjk, normalize_compact, normalize_text, parse_number

BERT = "Bidirectional Encoder Representations from Transformers"


# --- normalize_text -------------------------------------------------------------------------


def test_full_width_letters_and_digits_become_ascii() -> None:
    assert normalize_text("ＢＥＲＴ") == normalize_text("bert") == "bert"
    assert normalize_text("ＧＰＴ－４") == normalize_text("GPT-4") == "gpt 4"
    assert normalize_text("１２３") == "123"


@pytest.mark.parametrize(
    "variant",
    [
        BERT,
        BERT.upper(),
        BERT.lower(),
        "  bidirectional   encoder\trepresentations\nfrom transformers  ",
        "Bidirectional-Encoder Representations, from Transformers.",
        "ｂｉｄｉｒｅｃｔｉｏｎａｌ ｅｎｃｏｄｅｒ ｒｅｐｒｅｓｅｎｔａｔｉｏｎｓ ｆｒｏｍ ｔｒａｎｓｆｏｒｍｅｒｓ",
    ],
)
def test_case_spacing_and_punctuation_do_not_matter(variant: str) -> None:
    assert normalize_text(variant) == "bidirectional encoder representations from transformers"


@pytest.mark.parametrize(
    "variant",
    [
        BERT,
        "bidirectionalencoder representations fromtransformers",
        "BidirectionalEncoderRepresentationsFromTransformers",
        "BIDIRECTIONAL ENCODER REPRESENTATIONS FROM TRANSFORMERS",
        "Bi directional Encoder Represen tations from Trans formers",
    ],
)
def test_compact_form_ignores_word_splits(variant: str) -> None:
    assert normalize_compact(variant) == "bidirectionalencoderrepresentationsfromtransformers"


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("图像压缩。", "图像压缩."),
        ("滤波，平滑", "滤波,平滑"),
        ("滤波；平滑", "滤波;平滑"),
        ("“注意力”机制", '"注意力"机制'),
        ("（对抗）训练", "(对抗)训练"),
        ("什么是元学习？", "什么是元学习?"),
        ("对！", "对!"),
        ("答案：BERT", "答案:BERT"),
    ],
)
def test_chinese_and_english_punctuation_are_the_same(chinese: str, english: str) -> None:
    assert normalize_text(chinese) == normalize_text(english)


@pytest.mark.parametrize("mark", list("。，、；：？！“”‘’（）【】《》—…·") + list('!"$%&()*,./:;?@[\\]_{}'))
def test_punctuation_is_removed(mark: str) -> None:
    assert normalize_text(f"{mark}注意力{mark}") == "注意力"
    assert normalize_text(f"{mark}attention{mark}") == "attention"


def test_punctuation_between_words_separates_them() -> None:
    assert normalize_text("encoder/decoder") == "encoder decoder"
    assert normalize_text("《深度学习》【第八章】") == "深度学习第八章"
    assert normalize_text("滤波……平滑") == "滤波平滑"


def test_whitespace_runs_collapse_and_are_trimmed() -> None:
    assert normalize_text("  meta \t\n  learning\u3000 ") == "meta learning"
    assert normalize_text("\n\t ") == ""


def test_space_between_cjk_characters_is_removed_but_not_next_to_latin() -> None:
    assert normalize_text("图像 压缩") == "图像压缩"
    assert normalize_text("对 抗 训 练") == "对抗训练"
    assert normalize_text("使用 BERT 模型") == "使用 bert 模型"
    assert normalize_compact("使用 BERT 模型") == "使用bert模型"


def test_symbols_inside_tokens_are_kept() -> None:
    assert normalize_text("C++") == "c++"
    assert normalize_text("C#") == "c#"
    assert normalize_text("C") != normalize_text("C++")
    assert normalize_text("x^2 + y^2") == "x^2 + y^2"
    assert normalize_text("√") == "√"
    assert normalize_text("×") == "×"


def test_hash_only_kept_after_a_letter() -> None:
    assert normalize_text("#1 answer") == "1 answer"
    assert normalize_text("C# and F#") == "c# and f#"


def test_hyphens_are_separators_but_signs_and_decimal_points_stay() -> None:
    assert normalize_text("L2-norm") == normalize_text("L2 norm") == "l2 norm"
    assert normalize_compact("L2-norm") == normalize_compact("L2norm") == "l2norm"
    assert normalize_text("Model-Agnostic Meta-Learning") == "model agnostic meta learning"
    assert normalize_text("-3") == "-3"
    assert normalize_text("x = −3") == "x = -3"
    assert normalize_text("3.14") == "3.14"
    assert normalize_text("e.g. smoothing") == "e g smoothing"
    assert normalize_text("the end.") == "the end"


def test_apostrophes_join_instead_of_splitting() -> None:
    assert normalize_text("don't") == "dont"
    assert normalize_text("Bayes’ rule") == "bayes rule"


def test_invisible_format_characters_are_dropped() -> None:
    assert normalize_text("BE\u200bRT\ufeff") == "bert"
    assert normalize_text("soft\u00adhyphen") == "softhyphen"


def test_casefold_handles_more_than_ascii() -> None:
    assert normalize_text("STRASSE") == normalize_text("straße")
    assert normalize_text("ΣΊΣΥΦΟΣ") == normalize_text("σίσυφος")


def test_has_cjk() -> None:
    assert has_cjk("图像压缩") and has_cjk("l2范数")
    assert not has_cjk("image compression")


def test_normalize_text_is_deterministic() -> None:
    assert [normalize_text("Ｆｉｌｔｅｒ（平滑）") for _ in range(3)] == ["filter 平滑"] * 3


@given(st.text())
def test_normalize_text_is_idempotent(s: str) -> None:
    once = normalize_text(s)
    assert normalize_text(once) == once


@given(st.text(max_size=60))
def test_normalize_compact_has_no_space_and_ignores_prior_normalising(s: str) -> None:
    compact = normalize_compact(s)
    assert " " not in compact
    assert normalize_compact(normalize_text(s)) == compact


@given(st.text())
def test_normalized_text_has_no_outer_or_double_spaces(s: str) -> None:
    text = normalize_text(s)
    assert text == text.strip()
    assert "  " not in text


# --- parse_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("123", 123.0),
        ("１２３", 123.0),
        ("１２３．５", 123.5),
        ("  42 ", 42.0),
        ("+7", 7.0),
        ("-3", -3.0),
        ("−3", -3.0),
        ("－５", -5.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1623.", 1623.0),
        ("1623。", 1623.0),
        ("1,234.5", 1234.5),
        ("1,234,567", 1234567.0),
        ("1,234", 1234.0),
        ("１，２３４", 1234.0),
        ("1 234 567", 1234567.0),
        ("1\u00a0234,5", 1234.5),
        ("1\u202f234.5", 1234.5),
        ("1 234,5", 1234.5),
        ("3,14", 3.14),
        ("0,5", 0.5),
        ("1,23", 1.23),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("1.5e-3", 0.0015),
        ("-2.5E+2", -250.0),
        ("1.5×10^3", 1500.0),
        ("1.5 x 10^-3", 0.0015),
        ("1.5*10^3", 1500.0),
        ("1.5×10⁻³", 0.0015),
        ("6.02×10²³", 6.02e23),
        ("12%", 12.0),
        ("12.5 %", 12.5),
        ("１２％", 12.0),
        ("3/4", 0.75),
        ("-1/2", -0.5),
    ],
)
def test_parse_number_reads(text: str, value: float) -> None:
    result = parse_number(text)
    assert result is not None
    assert math.isclose(result, value, rel_tol=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12 cm",
        "about 1623",
        "1623个",
        "一千",
        "3。14",
        "1.234.567",
        "1,2,3",
        "1,23,456",
        "1,234,56",
        "1,234,5.6",
        "1234,567",
        "1 234,567",
        "1__000",
        "1_000",
        "inf",
        "-inf",
        "nan",
        "Infinity",
        "1e999",
        "--3",
        "3-",
        "1/0",
        "e3",
        "1e",
        ".",
        "-",
        "%",
        "0x1f",
        "1..2",
        "12%%",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(("value", "expected"), [(3, 3.0), (2.5, 2.5), (-0.0, 0.0)])
def test_parse_number_takes_python_numbers(value: float, expected: float) -> None:
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", [True, False, None, float("nan"), float("inf"), [1], {"x": 1}, b"1"])
def test_parse_number_rejects_other_values(value: object) -> None:
    assert parse_number(value) is None


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_reads_python_float_reprs(x: float) -> None:
    assert parse_number(repr(x)) == x


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_parse_number_reads_thousands_grouping(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:,}".replace(",", " ")) == n


@given(st.text(max_size=20))
def test_parse_number_never_raises_and_is_finite(s: str) -> None:
    value = parse_number(s)
    assert value is None or math.isfinite(value)
