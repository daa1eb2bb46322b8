"""Graders of the objective question kinds (plain Python, no Django, no database)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.engine.messages import MESSAGES, message
from grading.engine.objective import (
    compile_key,
    grade_enumeration,
    grade_multiple_choice,
    grade_numeric,
    grade_objective,
    grade_short_text,
    grade_single_choice,
    grade_true_false,
    split_entries,
    validate_key,
    within_tolerance,
)
from grading.engine.types import AcceptedItem, Choice, NumericKey, QuestionKey, Result

SINGLE = QuestionKey(
    kind="single_choice", max_points=2.0, choices=(Choice("a", "BERT", True), Choice("b", "GPT"), Choice("c", "ELMo"))
)
SINGLE_PK = QuestionKey(kind="single_choice", max_points=1.0, choices=(Choice("17", "BERT", True), Choice("18", "GPT")))
TF_TRUE = QuestionKey(
    kind="true_false", max_points=1.0, choices=(Choice("true", "True", True), Choice("false", "False"))
)
TF_FALSE = QuestionKey(
    kind="true_false", max_points=1.0, choices=(Choice("true", "True"), Choice("false", "False", True))
)
MULTI = QuestionKey(
    kind="multiple_choice",
    max_points=3.0,
    choices=(
        Choice("a", "A", True),
        Choice("b", "B", True),
        Choice("c", "C", True),
        Choice("d", "D"),
        Choice("e", "E"),
    ),
)
NUMBER = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(1623))
BERT_FULL = "Bidirectional Encoder Representations from Transformers"
SHORT = QuestionKey(
    kind="short_text",
    max_points=2.0,
    accepted=(
        AcceptedItem(BERT_FULL, ("BERT", "双向编码器表示")),
        AcceptedItem("Model-Agnostic Meta-Learning", ("MAML",)),
    ),
)
PASSIVE_DEFENSE = QuestionKey(
    kind="enumeration",
    max_points=4.0,
    prompt="List at least four ways of passive defense.",
    min_items=4,
    accepted=(
        AcceptedItem("Filter", ("Smoothing", "滤波", "平滑")),
        AcceptedItem("Image Compression", ("图像压缩",)),
        AcceptedItem("Generator", ("生成器",)),
        AcceptedItem("Randomization", ("随机化",)),
        AcceptedItem("Adversarial Training", ("对抗训练",)),
    ),
)
PASSIVE_DEFENSE_ZH = dataclasses.replace(PASSIVE_DEFENSE, lang="zh")
ALL_KEYS = (SINGLE, SINGLE_PK, TF_TRUE, TF_FALSE, MULTI, NUMBER, SHORT, PASSIVE_DEFENSE, PASSIVE_DEFENSE_ZH)


def assert_objective(result: Result) -> None:
    assert result.confidence == 1.0
    assert result.needs_review is False


# --- every grader ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ALL_KEYS, ids=lambda k: f"{k.kind}-{k.lang}")
@pytest.mark.parametrize("response", [None, "", "   ", "\n\t", [], (), ["", "  "], [None]])
def test_empty_response_scores_zero_with_flag(key: QuestionKey, response: object) -> None:
    result = grade_objective(key, response)
    assert result.score == 0
    assert result.flags == ("empty",)
    assert_objective(result)
    assert result.feedback == message(key.lang, "empty")
    assert result.max_points == key.max_points


@pytest.mark.parametrize("key", [SHORT, PASSIVE_DEFENSE])
@pytest.mark.parametrize("response", ["。。。", "?!", "；、，", "- • "])
def test_only_punctuation_is_an_empty_text_answer(key: QuestionKey, response: str) -> None:
    result = grade_objective(key, response)
    assert result.flags == ("empty",) and result.score == 0


@pytest.mark.parametrize("key", ALL_KEYS, ids=lambda k: f"{k.kind}-{k.lang}")
def test_unreadable_structure_goes_to_review(key: QuestionKey) -> None:
    result = grade_objective(key, {"answer": "a"})
    assert result.score == 0
    assert result.needs_review is True
    assert result.confidence == 0.0
    assert "uninterpretable" in result.flags


def test_grader_name_is_in_details() -> None:
    assert grade_objective(SINGLE, "a").details["grader"] == "single_choice"
    assert grade_objective(PASSIVE_DEFENSE, "filter").details["grader"] == "enumeration"


def test_non_objective_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="not an objective"):
        grade_objective(QuestionKey(kind="free_text", max_points=5.0), "anything")


# --- single choice ---------------------------------------------------------------------------


def test_single_choice_correct_and_wrong() -> None:
    right = grade_objective(SINGLE, "a")
    assert right.score == 2.0 and right.feedback == "Correct."
    assert_objective(right)
    wrong = grade_objective(SINGLE, "b")
    assert wrong.score == 0.0 and wrong.feedback == "Incorrect."
    assert_objective(wrong)


@pytest.mark.parametrize("response", ["a", " a ", "A", "ａ", ["a"], ("a",), ["a", "a"], {"a"}])
def test_single_choice_accepts_key_forms(response: object) -> None:
    assert grade_single_choice(SINGLE, response).score == 2.0


@pytest.mark.parametrize("response", [17, "17", [17], ["17"]])
def test_single_choice_with_database_ids(response: object) -> None:
    assert grade_objective(SINGLE_PK, response).score == 1.0
    assert grade_objective(SINGLE_PK, 18).score == 0.0


@pytest.mark.parametrize("response", [["a", "b"], "a, b", "a b", ("b", "c"), ["a", "z"], ["y", "z"]])
def test_single_choice_several_options_score_zero(response: object) -> None:
    result = grade_objective(SINGLE, response)
    assert result.score == 0
    assert result.flags == ("several_choices",)
    assert "Only one option" in result.feedback
    assert_objective(result)


def test_single_choice_unknown_option_scores_zero_and_says_why() -> None:
    result = grade_objective(SINGLE, "z")
    assert result.score == 0
    assert result.flags == ("unknown_choice",)
    assert "(z)" in result.feedback and "not one of" in result.feedback
    assert result.needs_review is True  # the key may have been edited since the answer


def test_single_choice_feedback_in_chinese() -> None:
    key = dataclasses.replace(SINGLE, lang="zh")
    assert grade_objective(key, "a").feedback == "正确。"
    assert grade_objective(key, "b").feedback == "错误。"
    assert "只能选择一个" in grade_objective(key, ["a", "b"]).feedback


# --- true / false ----------------------------------------------------------------------------

TRUE_FORMS = [
    True,
    "true",
    "True",
    "TRUE",
    "t",
    "T",
    "yes",
    "Yes",
    "对",
    "正确",
    "是",
    "√",
    "✓",
    "真",
    " 对。",
    ["对"],
    "ｔｒｕｅ",
]
FALSE_FORMS = [
    False,
    "false",
    "False",
    "f",
    "F",
    "no",
    "NO",
    "错",
    "错误",
    "否",
    "×",
    "✗",
    "假",
    "不对",
    "错！",
    ["false"],
]


@pytest.mark.parametrize("response", TRUE_FORMS)
def test_true_false_reads_true(response: object) -> None:
    assert grade_objective(TF_TRUE, response).score == 1.0
    assert grade_objective(TF_FALSE, response).score == 0.0


@pytest.mark.parametrize("response", FALSE_FORMS)
def test_true_false_reads_false(response: object) -> None:
    assert grade_objective(TF_FALSE, response).score == 1.0
    assert grade_objective(TF_TRUE, response).score == 0.0


def test_true_false_results_are_objective() -> None:
    for response in ["对", "错"]:
        assert_objective(grade_true_false(TF_TRUE, response))


def test_true_false_with_database_choice_ids_and_chinese_texts() -> None:
    key = QuestionKey(
        kind="true_false", max_points=1.0, lang="zh", choices=(Choice("31", "对"), Choice("32", "错", True))
    )
    assert validate_key(key) == []
    assert grade_objective(key, "32").score == 1.0
    assert grade_objective(key, "错").score == 1.0
    assert grade_objective(key, 31).score == 0.0
    assert grade_objective(key, "false").feedback == "正确。"


@pytest.mark.parametrize("response", ["maybe", "不知道", "tru", ["true", "false"], 2.5])
def test_true_false_unreadable_goes_to_review(response: object) -> None:
    result = grade_objective(TF_TRUE, response)
    assert result.score == 0
    assert result.needs_review is True
    assert result.flags == ("uninterpretable",)


def test_true_false_feedback_languages() -> None:
    assert grade_objective(TF_TRUE, "yes").feedback == "Correct."
    zh = dataclasses.replace(TF_TRUE, lang="zh")
    assert grade_objective(zh, "错").feedback == "错误。"
    assert "无法" in grade_objective(zh, "也许").feedback


# --- multiple choice -------------------------------------------------------------------------


def test_multiple_choice_all_correct_gets_full_points() -> None:
    result = grade_objective(MULTI, ["a", "b", "c"])
    assert result.score == 3.0
    assert_objective(result)


def test_multiple_choice_partial_credit_with_a_wrong_pick() -> None:
    # (2 correct − 1 wrong) / 3 correct options × 3 points
    result = grade_objective(MULTI, ["a", "b", "d"])
    assert result.score == pytest.approx(1.0)
    assert "2 of 3 correct" in result.feedback and "1 wrong" in result.feedback
    assert "(correct selected − wrong selected)" in result.feedback
    assert result.details["correct_selected"] == 2 and result.details["wrong_selected"] == 1


def test_multiple_choice_partial_without_wrong_pick() -> None:
    assert grade_objective(MULTI, ["a", "c"]).score == pytest.approx(2.0)


def test_multiple_choice_never_below_zero() -> None:
    assert grade_objective(MULTI, ["a", "d", "e"]).score == 0.0
    assert grade_objective(MULTI, ["d", "e"]).score == 0.0


def test_multiple_choice_selecting_everything_is_not_full_marks() -> None:
    assert grade_objective(MULTI, ["a", "b", "c", "d", "e"]).score == pytest.approx(1.0)


@pytest.mark.parametrize(
    "response", ["a,b,c", "a, b, c", "a，b，c", "a;b;c", "a b c", "A、B、C", ["c", "b", "a", "a", "B"], {"a", "b", "c"}]
)
def test_multiple_choice_forms_and_duplicates(response: object) -> None:
    assert grade_multiple_choice(MULTI, response).score == 3.0


def test_multiple_choice_unknown_option_counts_wrong_and_is_reviewed() -> None:
    result = grade_objective(MULTI, ["a", "b", "c", "z"])
    assert result.score == pytest.approx(2.0)
    assert result.needs_review is True
    assert "unknown_choice" in result.flags
    assert "z" in result.feedback


def test_multiple_choice_feedback_in_chinese_states_policy() -> None:
    key = dataclasses.replace(MULTI, lang="zh")
    feedback = grade_objective(key, ["a", "b", "d"]).feedback
    assert "选对 2 个" in feedback and "选错 1 个" in feedback and "部分得分" in feedback


# --- numeric ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response", ["1623", "１６２３", "1,623", "1 623", "1623.0", "1.623e3", "+1623", "1623.", 1623, 1623.0, ["1623"]]
)
def test_numeric_exact_value_in_many_forms(response: object) -> None:
    result = grade_objective(NUMBER, response)
    assert result.score == 1.0
    assert_objective(result)


def test_numeric_wrong_value() -> None:
    result = grade_objective(NUMBER, "1624")
    assert result.score == 0.0 and "outside" in result.feedback
    assert_objective(result)


def test_numeric_negative_with_unicode_minus() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(-3))
    assert grade_objective(key, "−3").score == 1.0
    assert grade_objective(key, "-3").score == 1.0
    assert grade_objective(key, "3").score == 0.0


def test_numeric_absolute_tolerance() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(0.3, abs_tol=0.05))
    assert grade_numeric(key, "0.35").score == 1.0  # the boundary, despite float noise
    assert grade_numeric(key, "0.25").score == 1.0
    assert grade_numeric(key, "0.36").score == 0.0


def test_numeric_relative_tolerance() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(200, rel_tol=0.01))
    assert grade_numeric(key, "202").score == 1.0
    assert grade_numeric(key, "198").score == 1.0
    assert grade_numeric(key, "202.5").score == 0.0


def test_numeric_larger_of_the_two_tolerances_wins() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(10, abs_tol=0.5, rel_tol=0.1))
    assert grade_numeric(key, "11").score == 1.0
    assert grade_numeric(key, "11.5").score == 0.0


def test_numeric_zero_needs_exact_zero() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(0))
    assert grade_numeric(key, "0").score == 1.0
    assert grade_numeric(key, "-0.0").score == 1.0
    assert grade_numeric(key, "1e-12").score == 0.0


def test_numeric_float_noise_is_tolerated() -> None:
    key = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(0.1 + 0.2))
    assert grade_numeric(key, "0.3").score == 1.0
    assert within_tolerance(0.3, 0.1 + 0.2)
    assert not within_tolerance(0.3001, 0.3)


def test_numeric_percentages() -> None:
    as_written = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(12))
    as_fraction = QuestionKey(kind="numeric", max_points=1.0, numeric=NumericKey(0.12))
    assert grade_numeric(as_written, "12%").score == 1.0
    assert grade_numeric(as_fraction, "12%").score == 1.0
    assert grade_numeric(as_fraction, "12").score == 0.0


@pytest.mark.parametrize("response", ["abc", "一千六百二十三", "many", True])
def test_numeric_not_a_number(response: object) -> None:
    result = grade_objective(NUMBER, response)
    assert result.score == 0.0
    assert result.feedback == "Not a number."
    assert result.flags == ("not_a_number",)
    assert_objective(result)


@pytest.mark.parametrize("response", ["about 1623", "1623个", "1623 characters"])
def test_numeric_number_inside_text_is_reviewed(response: str) -> None:
    result = grade_objective(NUMBER, response)
    assert result.score == 0.0
    assert result.needs_review is True
    assert result.flags == ("not_a_number",)


def test_numeric_feedback_in_chinese() -> None:
    key = dataclasses.replace(NUMBER, lang="zh")
    assert grade_objective(key, "1623").feedback.startswith("正确")
    assert grade_objective(key, "abc").feedback == "不是数字。"


# --- short text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [
        BERT_FULL,
        BERT_FULL.upper(),
        BERT_FULL.lower(),
        "bidirectionalencoder representations fromtransformers",
        "BidirectionalEncoderRepresentationsFromTransformers",
        "  Bidirectional Encoder-Representations from Transformers. ",
        "ＢＥＲＴ",
        "bert",
        "BERT。",
        "双向编码器表示",
        "双向 编码器 表示！",
        "model agnostic meta learning",
        "Model-Agnostic Meta-Learning",
        "modelagnosticmetalearning",
        ["MAML"],
    ],
)
def test_short_text_accepts_normalised_variants(response: object) -> None:
    result = grade_objective(SHORT, response)
    assert result.score == 2.0
    assert result.feedback.startswith("Correct")
    assert_objective(result)


@pytest.mark.parametrize("response", ["GPT", "Bidirectional Encoder", "bert model", "Transformers", "元学习"])
def test_short_text_rejects_other_answers(response: str) -> None:
    result = grade_objective(SHORT, response)
    assert result.score == 0.0
    assert "not one of the accepted answers" in result.feedback
    assert_objective(result)


def test_short_text_regular_expressions_fullmatch_case_insensitively() -> None:
    key = QuestionKey(
        kind="short_text",
        max_points=1.0,
        accepted=(AcceptedItem(r"l(2|two)[ -]?norm", is_regex=True), AcceptedItem(r"欧几里[得德]范数", is_regex=True)),
    )
    assert validate_key(key) == []
    for response in ["L2 norm", "l2-norm", "L2NORM", "ltwo norm", "欧几里德范数", "欧几里得范数。"]:
        assert grade_objective(key, response).score == 1.0, response
    for response in ["the L2 norm", "L1 norm", "l2 norms"]:
        assert grade_objective(key, response).score == 0.0, response


def test_short_text_regex_may_use_punctuation_of_the_raw_answer() -> None:
    key = QuestionKey(kind="short_text", max_points=1.0, accepted=(AcceptedItem(r"O\(n log n\)", is_regex=True),))
    assert grade_objective(key, "O(n log n)").score == 1.0


def test_invalid_regex_is_reported_by_validate_key_and_refused_before_grading() -> None:
    key = QuestionKey(kind="short_text", max_points=1.0, accepted=(AcceptedItem("l2(norm", is_regex=True),))
    problems = validate_key(key)
    assert len(problems) == 1 and "'l2(norm'" in problems[0] and "regular expression" in problems[0]
    with pytest.raises(ValueError, match="not a valid regular expression"):
        grade_objective(key, "l2 norm")
    with pytest.raises(ValueError):
        grade_objective(key, "")  # even an empty answer: the key is checked first


def test_short_text_feedback_in_chinese() -> None:
    key = dataclasses.replace(SHORT, lang="zh")
    assert grade_objective(key, "BERT").feedback == "正确：属于可接受的答案。"
    assert grade_objective(key, "GPT").feedback == "错误：不属于可接受的答案。"


# --- enumeration -----------------------------------------------------------------------------

BANK_ANSWER = """1. Filter(e.g. Smoothing)
2. Image Compression
3. Generator
4. Randomization
5. Adversarial Training:训练时,将“攻击过程”融入到训练过程中,训练一个比较不会被攻破的模型"""


def test_enumeration_reference_answer_of_the_bank_gets_full_points() -> None:
    result = grade_objective(PASSIVE_DEFENSE, BANK_ANSWER)
    assert result.score == 4.0
    assert result.recognised == ("Filter", "Image Compression", "Generator", "Randomization", "Adversarial Training")
    assert_objective(result)


@pytest.mark.parametrize(
    "response",
    [
        "Filter; Image Compression; Generator; Randomization",
        "filters, image compression, generators, randomization",
        "- smoothing\n- image-compression\n- generator\n- adversarial training",
        "1. Filter 2. Image Compression 3. Generator 4) Randomization",
        ["Filter", "Image Compression", "Generator", "Randomization"],
        ["1. Filter", "2. Image Compression", "3. Generator", "4. Randomization"],
    ],
)
def test_enumeration_in_english(response: object) -> None:
    result = grade_objective(PASSIVE_DEFENSE, response)
    assert result.score == 4.0
    assert len(result.recognised) == 4


@pytest.mark.parametrize(
    "response",
    [
        "滤波、图像压缩、生成器、随机化",
        "滤波；图像压缩；生成器；对抗训练",
        "一、平滑 二、图像压缩 三、生成器 四、随机化",
        "①滤波②图像压缩③生成器④随机化",
        "（1）滤波\n（2）图像压缩\n（3）生成器\n（4）随机化",
        "使用平滑滤波，采用图像压缩，加入生成器，输入随机化",
    ],
)
def test_enumeration_in_chinese(response: str) -> None:
    result = grade_objective(PASSIVE_DEFENSE, response)
    assert result.score == 4.0, result.feedback


def test_enumeration_mixed_languages() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "Filter；图像压缩\n生成器, randomization、对抗训练")
    assert result.score == 4.0
    assert result.recognised == ("Filter", "Image Compression", "Generator", "Randomization", "Adversarial Training")


def test_enumeration_duplicates_count_once() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "smoothing; filter")
    assert result.recognised == ("Filter",)
    assert result.score == pytest.approx(1.0)
    assert "count once" in result.feedback
    assert grade_objective(PASSIVE_DEFENSE, "滤波、平滑、Filter、smoothing").score == pytest.approx(1.0)


def test_enumeration_junk_entries_are_listed_and_not_counted() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "Filter\nDropout\nImage Compression\nbatch normalization\n随便写的")
    assert result.score == pytest.approx(2.0)
    assert result.recognised == ("Filter", "Image Compression")
    assert "Not recognised: Dropout, batch normalization, 随便写的." in result.feedback
    assert "2 more item(s) needed" in result.feedback
    assert result.details["unrecognised"] == ["Dropout", "batch normalization", "随便写的"]
    assert_objective(result)


def test_enumeration_only_junk_scores_zero() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "dropout; weight decay")
    assert result.score == 0.0
    assert result.recognised == ()
    assert "No expected item was recognised (4 needed)" in result.feedback


def test_enumeration_entry_with_example_counts_once() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "Filter (e.g. Smoothing)")
    assert result.recognised == ("Filter",)
    assert result.score == pytest.approx(1.0)


def test_enumeration_entry_that_clearly_names_two_items_counts_for_both() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "filter and image compression")
    assert result.recognised == ("Filter", "Image Compression")


def test_enumeration_words_must_be_whole() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "filtering; regenerator; decompression")
    assert result.recognised == ()


def test_enumeration_overlapping_mentions_count_for_one_item_only() -> None:
    key = QuestionKey(
        kind="enumeration", max_points=2.0, accepted=(AcceptedItem("Training"), AcceptedItem("Adversarial Training"))
    )
    assert grade_objective(key, "adversarial training").recognised == ("Adversarial Training",)
    assert grade_objective(key, "use adversarial training").recognised == ("Adversarial Training",)
    # the clear entry takes "Training", so the ambiguous one gives "Adversarial Training"
    both = grade_objective(key, "use adversarial training; plain training")
    assert set(both.recognised) == {"Training", "Adversarial Training"}
    assert both.score == 2.0


def test_enumeration_more_items_than_needed_is_capped() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "滤波、图像压缩、生成器、随机化、对抗训练")
    assert result.score == 4.0
    assert "Recognised (5 of 4 needed)" in result.feedback
    assert "Enough items" in result.feedback


def test_enumeration_without_min_items_needs_every_item() -> None:
    key = dataclasses.replace(PASSIVE_DEFENSE, min_items=0, max_points=5.0)
    assert grade_objective(key, "滤波、图像压缩、生成器、随机化").score == pytest.approx(4.0)
    assert grade_objective(key, "滤波、图像压缩、生成器、随机化、对抗训练").score == 5.0


def test_enumeration_recognised_in_order_of_appearance() -> None:
    result = grade_objective(PASSIVE_DEFENSE, "随机化\n滤波\nGenerator")
    assert result.recognised == ("Randomization", "Filter", "Generator")
    assert result.score == pytest.approx(3.0)


def test_enumeration_feedback_in_chinese() -> None:
    result = grade_objective(PASSIVE_DEFENSE_ZH, "滤波、平滑、dropout")
    assert (
        result.feedback
        == "已识别 1 项（需要 4 项）：Filter。还需 3 项才能得满分。重复的要点只计一次。未识别：dropout。"
    )


def test_enumeration_commas_inside_numbers_do_not_split() -> None:
    assert split_entries("a, b,c 1,000 images") == ["a", "b", "c 1,000 images"]
    assert split_entries("filter\n\n  ;  ；generator") == ["filter", "generator"]
    assert split_entries(["  filter ", None, 3]) == ["filter", "3"]
    assert split_entries({"x": 1}) is None


def test_enumeration_synonym_regex_items() -> None:
    key = QuestionKey(
        kind="enumeration",
        max_points=2.0,
        accepted=(AcceptedItem(r"l[12] ?norm", is_regex=True), AcceptedItem("dropout")),
    )
    result = grade_objective(key, "use the L2-norm penalty; Dropout")
    assert result.recognised == (r"l[12] ?norm", "dropout")


# --- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        (dataclasses.replace(MULTI, choices=(Choice("a", "A"), Choice("b", "B"))), "no option is marked correct"),
        (dataclasses.replace(SINGLE, choices=()), "no options"),
        (dataclasses.replace(SINGLE, choices=(Choice("a", "A", True), Choice("a", "B"))), "share the same key"),
        (dataclasses.replace(TF_TRUE, choices=(Choice("true", "T", True), Choice("false", "F", True))), "exactly one"),
        (
            dataclasses.replace(TF_TRUE, choices=(Choice("x", "maybe", True), Choice("y", "perhaps"))),
            '"true" and "false"',
        ),
        (dataclasses.replace(TF_TRUE, choices=(Choice("true", "True", True),)), "exactly two"),
        (dataclasses.replace(NUMBER, numeric=None), "needs a numeric key"),
        (dataclasses.replace(NUMBER, numeric=NumericKey(1, abs_tol=-1)), "negative"),
        (dataclasses.replace(NUMBER, numeric=NumericKey(float("nan"))), "finite"),
        (dataclasses.replace(SHORT, accepted=()), "no accepted answer"),
        (dataclasses.replace(SHORT, accepted=(AcceptedItem("。。"),)), "empty once normalised"),
        (dataclasses.replace(PASSIVE_DEFENSE, min_items=6), "min_items"),
        (dataclasses.replace(SINGLE, max_points=-1.0), "max_points"),
    ],
)
def test_validate_key_finds_problems(key: QuestionKey, fragment: str) -> None:
    problems = validate_key(key)
    assert any(fragment in p for p in problems), problems
    with pytest.raises(ValueError, match="invalid answer key"):
        compile_key(key)


@pytest.mark.parametrize("key", ALL_KEYS, ids=lambda k: f"{k.kind}-{k.lang}")
def test_valid_keys_have_no_problems(key: QuestionKey) -> None:
    assert validate_key(key) == []


# --- messages ----------------------------------------------------------------------------------


def test_message_catalogues_have_the_same_keys() -> None:
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])


def test_message_falls_back_to_english() -> None:
    assert message("fr", "correct") == "Correct."
    MESSAGES["en"]["only_in_english"] = "Only {what}."
    try:
        assert message("zh", "only_in_english", what="English") == "Only English."
    finally:
        del MESSAGES["en"]["only_in_english"]


# --- determinism and properties ------------------------------------------------------------


def test_grading_is_deterministic_across_key_objects() -> None:
    responses = [BANK_ANSWER, "滤波、平滑、dropout", "use adversarial training; plain training", ["b", "a", "d"]]
    for response in responses:
        first = grade_objective(PASSIVE_DEFENSE, response)
        again = grade_objective(dataclasses.replace(PASSIVE_DEFENSE), response)
        assert first == again
    assert grade_objective(MULTI, ["b", "a", "d"]) == grade_objective(dataclasses.replace(MULTI), ["d", "a", "b"])


def test_repeated_response_returns_the_same_result() -> None:
    assert grade_objective(PASSIVE_DEFENSE, BANK_ANSWER) is grade_objective(PASSIVE_DEFENSE, BANK_ANSWER)


RESPONSES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=2000),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["a", "b", "z", "对", "1623", "1,623", "滤波、图像压缩", "BERT", "Filter; filter"]),
    st.lists(
        st.one_of(
            st.none(), st.integers(0, 20), st.sampled_from(["a", "b", "c", "d", "e", "滤波", "x"]), st.text(max_size=10)
        ),
        max_size=6,
    ),
)


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(ALL_KEYS), response=RESPONSES)
def test_score_is_always_within_bounds(key: QuestionKey, response: object) -> None:
    result = grade_objective(key, response)
    assert 0.0 <= result.score <= key.max_points
    assert result.max_points == key.max_points
    assert 0.0 <= result.confidence <= 1.0
    assert result.feedback


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(ALL_KEYS), response=RESPONSES)
def test_remembered_results_equal_fresh_grading(key: QuestionKey, response: object) -> None:
    """True, 1 and "1" must not share a remembered result."""
    grader = {
        "single_choice": grade_single_choice,
        "true_false": grade_true_false,
        "numeric": grade_numeric,
        "multiple_choice": grade_multiple_choice,
        "short_text": grade_short_text,
        "enumeration": grade_enumeration,
    }[key.kind]
    assert grade_objective(key, response) == grader(key, response)


@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8))
def test_multiple_choice_score_follows_the_formula(picks: list[str]) -> None:
    chosen = set(picks)
    right, wrong = len(chosen & {"a", "b", "c"}), len(chosen & {"d", "e"})
    assert grade_objective(MULTI, picks).score == pytest.approx(3.0 * max(0.0, (right - wrong) / 3))
