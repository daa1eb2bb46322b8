"""Recognising "list at least N" prompts and proposing their key (plain Python, no database)."""

from __future__ import annotations

import pytest

from grading.engine.list_prompt import ProposedItem, propose_list_key, reference_items, required_items

PASSIVE = (
    "1. Filter(e.g. Smoothing)\n2. Image Compression\n3. Generator\n4. Randomization\n"
    "5. Adversarial Training:训练时,将“攻击过程”融入到训练过程中,训练一个比较不会被攻破的模型"
)


@pytest.mark.parametrize(
    ("prompt", "needed"),
    [
        ("List at least four ways of passive defense.", 4),
        ("List at least five types of way for network compressing.", 5),
        ("Name at least 3 optimisers.", 3),
        ("Give two or more methods.", 2),
        ("至少列出四种被动防御的方法。", 4),
        ("请列举至少3个例子", 3),
        ("列出至少十二项", 12),
        ("What is the aim of using autoencoder to get embedding?", None),
        ("At least explain why.", None),
    ],
)
def test_the_number_of_items_is_read_from_english_and_chinese_prompts(prompt: str, needed: int | None) -> None:
    assert required_items(prompt) == needed


def test_items_carry_their_own_synonyms_and_drop_their_explanations() -> None:
    items = reference_items(PASSIVE)
    assert items is not None
    assert [i.text for i in items] == [
        "Filter",
        "Image Compression",
        "Generator",
        "Randomization",
        "Adversarial Training",
    ]
    assert items[0].synonyms == ("Smoothing",)
    assert reference_items("- Network Pruning(网络剪枝)\n- 💻Knowledge Distillation") == [
        ProposedItem("Network Pruning", ("网络剪枝",)),
        ProposedItem("Knowledge Distillation", ()),
    ]


@pytest.mark.parametrize(
    "reference",
    ["A paragraph first.\n- then an item", "- item\n    - a sub-item", "- " + "a whole sentence, " * 6, ""],
)
def test_a_reference_that_is_not_a_plain_list_is_not_proposed(reference: str) -> None:
    assert propose_list_key("List at least one thing.", reference) is None


def test_too_few_listed_items_is_not_a_list_question() -> None:
    assert propose_list_key("List at least six ways of passive defense.", PASSIVE) is None


def test_the_keywords_of_the_matching_rubric_point_become_synonyms() -> None:
    hints = [
        ("滤波(Filter),例如对输入图像做平滑(模糊)。", ("滤波", "平滑", "filter", "smoothing")),
        ("图像压缩(Image Compression),如先压缩再解压。", ("图像压缩", "压缩", "JPEG")),
    ]
    key = propose_list_key("List at least four ways of passive defense.", PASSIVE, hints)
    assert key is not None and key.needed == 4
    by_name = {i.text: i.synonyms for i in key.items}
    assert by_name["Filter"] == ("Smoothing", "滤波", "平滑")  # no repeats of the name or of a synonym
    assert by_name["Image Compression"] == ("图像压缩", "压缩", "JPEG")  # named in the point's text
    assert by_name["Generator"] == ()
