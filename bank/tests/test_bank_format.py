"""Tests for the question-bank text format parser (pure Python, no database)."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from bank.bank_format import (
    BankFormatError,
    ParsedBank,
    ParsedQuestion,
    SourceMark,
    decode_bank_bytes,
    parse_bank,
    render_bank,
)

SEED = Path(__file__).resolve().parents[2] / "bank" / "deep_learning_ch8-14.txt"
FOOTNOTES = [
    "题目写错了,题目中nosing应为denosing,感谢YK的指正!",
    "此处有所改正。",
    "之前有拼写错误,感谢DMZ的指正!",
    "之前写错了,原为“测试”应为“训练”,感谢XQL的指正!",
]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return decode_bank_bytes(SEED.read_bytes())


@pytest.fixture(scope="module")
def bank(seed_text: str) -> ParsedBank:
    return parse_bank(seed_text)


def question(bank: ParsedBank, chapter: int, ref: str) -> ParsedQuestion:
    return next(q for c, q in bank.questions() if c.number == chapter and q.ref == ref)


def answer_at(q: ParsedQuestion, mark: int) -> str:
    return q.answer_markdown[q.source_marks[mark].offset :]


# --- the real bank -----------------------------------------------------------------------------


def test_title_and_preamble(bank: ParsedBank) -> None:
    assert bank.title == "深度学习的相关问题整理(李宏毅机器学习课程)"
    assert bank.preamble.startswith("问题来源于东北大学齐守良老师的深度学习课程\n\n内容来源于")
    assert bank.preamble.endswith("💻 代表内容来源于ChatGPT")


def test_chapters(bank: ParsedBank) -> None:
    assert [c.number for c in bank.chapters] == list(range(8, 15))
    assert [c.title for c in bank.chapters] == [
        "SSL",
        "Adversarial Attack",
        "Explainable Artificial Intelligence (XAI)",
        "Transfer learning",
        "Network compressing",
        "Life-long learning",
        "Meta-learning",
    ]
    assert [c.line for c in bank.chapters] == [9, 78, 110, 146, 200, 257, 301]


def test_parts_only_in_chapter_8(bank: ParsedBank) -> None:
    parts = [(c.number, p.numeral, p.title, p.line) for c in bank.chapters for p in c.parts]
    assert parts == [(8, "I", "Autoencoder", 11), (8, "II", "BERT", 43)]


def test_question_counts_and_refs(bank: ParsedBank) -> None:
    assert len(list(bank.questions())) == 60
    assert [len(c.questions) for c in bank.chapters] == [13, 5, 5, 7, 8, 7, 15]
    chapter8 = bank.chapters[0].questions
    assert [q.ref for q in chapter8] == [f"I.{n}" for n in range(1, 7)] + [f"II.{n}" for n in range(1, 8)]
    assert [q.part for q in chapter8] == ["I"] * 6 + ["II"] * 7
    assert [q.number for q in bank.chapters[-1].questions] == list(range(1, 16))
    assert all(q.part is None and q.ref == str(q.number) for c in bank.chapters[1:] for q in c.questions)


def test_question_lines(bank: ParsedBank) -> None:
    assert question(bank, 8, "I.1").line == 13
    assert question(bank, 8, "II.1").line == 45
    assert question(bank, 14, "15").line == 393


def test_errata_attached_to_the_right_questions(bank: ParsedBank) -> None:
    errata = {(c.number, q.ref): q.errata for c, q in bank.questions() if q.errata}
    assert errata == {
        (8, "I.2"): [FOOTNOTES[0]],
        (9, "1"): [FOOTNOTES[1]],
        (14, "3"): [FOOTNOTES[2]],
        (14, "6"): [FOOTNOTES[3]],
    }
    assert bank.unattached_errata == []
    assert bank.warnings == []


def test_footnote_reference_digits_removed(bank: ParsedBank) -> None:
    assert "denoising autoencoder (DAE)" in question(bank, 8, "I.2").prompt
    assert "越小越好。\n" in question(bank, 9, "1").answer_markdown
    assert "越好。2" not in question(bank, 9, "1").answer_markdown
    assert question(bank, 14, "3").answer_markdown.endswith("3. Optimization(优化)")
    assert "所有的训练数据的损失之和" in question(bank, 14, "6").answer_markdown


def test_numbers_that_are_not_footnote_references_are_kept(bank: ParsedBank) -> None:
    assert "w1、w2、w3和w4" in question(bank, 8, "II.4").answer_markdown
    assert question(bank, 9, "2").prompt.startswith("For L2-norm and L-infinite")
    assert "1623 characters and each has 20 examples" in question(bank, 14, "12").prompt
    assert "- N:1623, K: 20" in question(bank, 14, "12").answer_markdown


def test_chapter_not_a_focus(bank: ParsedBank) -> None:
    assert [c.number for c in bank.chapters if c.not_a_focus] == [14]
    assert bank.chapters[-1].title == "Meta-learning"


def test_questions_not_a_focus(bank: ParsedBank) -> None:
    flagged = [(c.number, q.ref) for c, q in bank.questions() if q.not_a_focus]
    assert flagged == [(14, "5"), (14, "11"), (14, "13")]
    assert question(bank, 14, "5").prompt == "List two or three methods of optimization."
    assert question(bank, 14, "11").prompt == (
        "What is full name of NAS? Explain how to learning NAS through reinforcement learning?"
    )
    assert question(bank, 14, "13").prompt == "What is prompt learning?"
    for _, q in bank.questions():
        assert "非重点" not in q.prompt and "optional" not in q.prompt


def test_answer_on_the_question_line_is_split_at_the_mark(bank: ParsedBank) -> None:
    q = question(bank, 8, "II.1")
    assert q.prompt == "What is the full name of BERT and GPT?"
    assert q.answer_markdown.startswith("BERT的全称是")
    assert q.answer_source == "ai"
    assert q.source_marks == [SourceMark(0, "ai")]

    q = question(bank, 8, "I.2")
    assert q.prompt.endswith("clarify their differences and common points.")
    assert q.answer_markdown.startswith("去噪自编码器(DAE)和BERT是两种不同的预训练模型。\n\n- DAE")
    assert q.source_marks == [SourceMark(0, "ai")]

    q = question(bank, 8, "II.2")
    assert q.prompt == "What are the differences between BERT and GPT from the viewpoint of SSL?"
    assert "\n\n1. 任务类型不同" in q.answer_markdown


def test_mixed_sources(bank: ParsedBank) -> None:
    q = question(bank, 10, "3")
    assert q.answer_source == "mixed"
    assert [m.source for m in q.source_marks] == ["ai", "author"]
    assert q.source_marks[0].offset == 0
    assert answer_at(q, 1).startswith("热力图:")  # the 👦 alone on its line applies to the list

    q = question(bank, 14, "1")
    assert [m.source for m in q.source_marks] == ["author", "ai", "author"]
    assert answer_at(q, 1).startswith("元学习(Meta Learning)")
    assert answer_at(q, 2).startswith("也可以看做一个函数F")


def test_marks_inside_list_items(bank: ParsedBank) -> None:
    q = question(bank, 9, "4")
    assert q.answer_source == "ai"
    assert q.answer_markdown.startswith("1. 迁移攻击(proxy network):这种攻击方法")
    assert answer_at(q, 0).startswith("这种攻击方法")
    assert answer_at(q, 1).startswith("基于梯度的攻击")

    q = question(bank, 8, "II.7")  # a 💻 alone on its line before a numbered list
    assert q.answer_markdown.startswith("1. 自监督学习(self-supervised learning)")
    assert answer_at(q, 0).startswith("自监督学习")

    q = question(bank, 11, "3")
    assert q.answer_source == "mixed"
    assert answer_at(q, 1).startswith("需要注意的是")


def test_answer_sources(bank: ParsedBank) -> None:
    sources = {(c.number, q.ref): q.answer_source for c, q in bank.questions()}
    assert set(sources.values()) == {"ai", "mixed", "unspecified"}
    assert sources[(8, "I.5")] == "unspecified"
    assert sources[(8, "II.3")] == "ai"  # "💻自监督..." without a space
    assert [k for k, v in sources.items() if v == "mixed"] == [(10, "3"), (11, "3"), (14, "1"), (14, "8")]
    for _, q in bank.questions():
        assert (q.answer_source == "unspecified") == (not q.source_marks)


def test_no_marks_left_in_text(bank: ParsedBank) -> None:
    for chapter, q in bank.questions():
        for text in (q.prompt, q.answer_markdown, chapter.title):
            assert not re.search("[\U0001f4bb\U0001f466\ufe0e\ufe0f\ufdd0\ufdd1]", text), (chapter.number, q.ref)
        assert q.answer_markdown == q.answer_markdown.strip()
        assert all(0 <= m.offset <= len(q.answer_markdown) for m in q.source_marks)


def test_bullets_converted(bank: ParsedBank) -> None:
    assert not any("•" in q.answer_markdown for _, q in bank.questions())
    assert question(bank, 10, "2").answer_markdown == (
        "- Local Explanation: Explain the Decision\n- Global Explanation: Explain the WHOLE MODEL"
    )


def test_ch8_part1_q3_structure(bank: ParsedBank) -> None:
    q = question(bank, 8, "I.3")
    lines = q.answer_markdown.split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("- Describe: feature disentanglement指的是")
    assert lines[1] == "- Application: Voice Conversion"
    assert q.source_marks == [SourceMark(len("- Describe: "), "ai")]


def test_nested_lists_preserved(bank: ParsedBank) -> None:
    q = question(bank, 10, "3")
    assert "\n\n- 热力图:\n    - 灰方块:" in q.answer_markdown
    assert "\n- 网络模型各层作用:\n    - 降维可视化:" in q.answer_markdown
    html = markdown.markdown(q.answer_markdown)
    assert re.search(r"<li>热力图:\s*<ul>\s*<li>灰方块", html)

    nas = question(bank, 14, "11").answer_markdown
    assert "- How:\n    - , :the agent’s parameters" in nas
    assert "    - Example:\n        1. 利用RNN输出网络架构(action)" in nas
    html = markdown.markdown(nas)
    assert re.search(r"<li>Example:\s*<ol>\s*<li>利用RNN", html)

    # bullets nested under a numbered item
    assert "2. 改进模型的性能\n    - 机器学习模型" in question(bank, 10, "1").answer_markdown


def test_paragraphs_and_continuations(bank: ParsedBank) -> None:
    vqvae = question(bank, 8, "I.4").answer_markdown
    assert vqvae.count("\n\n") == 1 and vqvae.split("\n\n")[1].startswith("VQVAE的结构")
    depthwise = question(bank, 12, "6").answer_markdown
    assert depthwise.startswith("1. Depthwise Convolution——考虑一个channel内部的关系\n\n    某一个 Layer")
    assert all("\n\n\n" not in q.answer_markdown for _, q in bank.questions())


def test_markdown_leftovers_kept(bank: ParsedBank) -> None:
    assert "**Loss Function:**y 跟正确答案 ŷ" in question(bank, 9, "1").answer_markdown
    assert "*“守卫”来说明“多强烈地”希望二者能够靠近**" in question(bank, 13, "4").answer_markdown
    assert "表示??" in question(bank, 8, "II.3").answer_markdown
    assert question(bank, 12, "7").answer_markdown == "Low rank approximation(低秩近似"


def test_parsing_is_deterministic(seed_text: str, bank: ParsedBank) -> None:
    assert parse_bank(seed_text) == bank
    assert render_bank(parse_bank(seed_text)) == render_bank(bank)


def test_round_trip(bank: ParsedBank) -> None:
    text = render_bank(bank)
    assert parse_bank(text) == bank  # every field, line numbers included
    assert "Chapter 14 Meta-learning(非重点)" in text
    assert "  5. List two or three methods of optimization.(非重点)" in text
    assert "  1. What is the full name of BERT and GPT?" in text
    assert "    • Describe: 💻 feature disentanglement" in text
    assert text.count("↩") == 4


# --- decoding ----------------------------------------------------------------------------------


def test_decode_seed_matches_plain_read() -> None:
    assert decode_bank_bytes(SEED.read_bytes()) == SEED.read_text(encoding="utf-8")


def test_decode_strips_bom_and_normalises_newlines() -> None:
    assert decode_bank_bytes(b"\xef\xbb\xbfA\r\nB\rC\n") == "A\nB\nC\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"\xef\xbb\xbf", "file is empty"),
        (b"Chapter 8\x00\x01", "file looks binary, not a text bank"),
        (bytes(range(1, 32)) * 20, "file looks binary, not a text bank"),
    ],
)
def test_decode_rejects_empty_and_binary(data: bytes, message: str) -> None:
    with pytest.raises(BankFormatError) as info:
        decode_bank_bytes(data)
    assert info.value.message == message and info.value.line is None


def test_decode_invalid_utf8_names_the_line() -> None:
    data = "标题\n\nChapter 1 中文\n".encode() + b"  1. caf\xe9?\n"
    with pytest.raises(BankFormatError) as info:
        decode_bank_bytes(data)
    assert info.value.line == 4
    assert str(info.value).startswith("line 4: invalid UTF-8")


# --- small banks -------------------------------------------------------------------------------


def test_error_formatting() -> None:
    error = BankFormatError("bad thing", 12)
    assert isinstance(error, ValueError)
    assert (str(error), error.message, error.line) == ("line 12: bad thing", "bad thing", 12)
    assert str(BankFormatError("bad thing")) == "bad thing"


MINIMAL = "T\n\nChapter 1 One\n\n  1. Q?\n\n    A\n"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", None, "file is empty"),
        ("Title\n\nsome text\n  1. Q?\n", None, "no chapter found: expected a line like 'Chapter 8 Title'"),
        ("T\n\n  1. Q?\n\n    A\n\n" + MINIMAL[3:], 3, "question before any chapter"),
        ("T\nPart I. X\n" + MINIMAL[2:], 2, "part heading before any chapter"),
        ("T\n\nChapter 1 Empty\n\nChapter 2 B\n\n  1. Q?\n    A\n", 3, "chapter 1 has no questions"),
        (MINIMAL + "\nChapter 2 Empty\n", 9, "chapter 2 has no questions"),
        ("T\nChapter 1 A\n\n    stray answer\n  1. Q?\n    A\n", 4, "answer line before any question in chapter 1"),
        ("T\nChapter 1 A\nPart I. X\n    stray\n  1. Q?\n", 4, "answer line before any question in part I"),
        (MINIMAL + "Chapter 1 Again\n  1. Q?\n", 8, "duplicate chapter 1 (first at line 3)"),
        (MINIMAL + "  1. Again?\n", 8, "duplicate question 1 in chapter 1"),
        ("T\nChapter 1 A\nPart I. X\n  1. Q?\n  1. Q?\n", 5, "duplicate question 1 in part I of chapter 1"),
        ("T\nChapter 1 A\nPart I. X\n  1. Q?\nPart I. Y\n  2. Q?\n", 5, "duplicate part I"),
        ("T\nChapter 1 A\nPart I. X\nPart II. Y\n  1. Q?\n", 3, "part I has no questions"),
        (MINIMAL + "  2.\n", 8, "question 2 has an empty prompt"),
        (MINIMAL + "  2. 💻 only an answer\n", 8, "question 2 has an empty prompt"),
        (MINIMAL + "  2. (非重点)\n", 8, "question 2 has an empty prompt"),
        (MINIMAL + "  stray text\n", 8, "must be a question like '  1. text'"),
        (MINIMAL + "stray text\n", 8, "unexpected unindented text"),
        (MINIMAL + " odd\n", 8, "unexpected indentation of 1 space"),
    ],
)
def test_malformed_input(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(BankFormatError) as info:
        parse_bank(text)
    assert info.value.line == line
    assert fragment in info.value.message


def test_question_without_answer_is_a_warning() -> None:
    bank = parse_bank("T\nChapter 1 A\n  1. Q?\n  2. R?\n    B\n")
    q = bank.chapters[0].questions[0]
    assert (q.answer_markdown, q.answer_source, q.source_marks) == ("", "unspecified", [])
    assert bank.warnings == ["line 3: chapter 1 question 1 has no answer"]


def test_mark_variants_and_placement() -> None:
    bank = parse_bank(
        "T\nChapter 1 A\n"
        "  1. Q? 💻️答案\n"  # variation selector, no space
        "  2. R?\n    text 👦\n    more\n"  # mark at the end of a line applies to the next
        "  3. S?\n    💻\n\n    • x\n      • y\n"  # mark alone, then a nested list
    )
    q1, q2, q3 = bank.chapters[0].questions
    assert (q1.prompt, q1.answer_markdown, q1.source_marks) == ("Q?", "答案", [SourceMark(0, "ai")])
    assert q2.answer_markdown == "text\nmore" and q2.source_marks == [SourceMark(5, "author")]
    assert q3.answer_markdown == "- x\n    - y" and q3.source_marks == [SourceMark(2, "ai")]


def test_not_a_focus_variants() -> None:
    bank = parse_bank(
        "T\nChapter 1 A（非重点）\n  1. Q (optional) here?\n    a\n  2. R?（非重点）\n    b\n  3. S?(非重点\n    c\n"
    )
    chapter = bank.chapters[0]
    assert (chapter.title, chapter.not_a_focus) == ("A", True)
    assert [(q.prompt, q.not_a_focus) for q in chapter.questions] == [("Q here?", True), ("R?", True), ("S?", True)]


def test_footnotes_after_a_rule_and_unfound_references() -> None:
    text = "T\nChapter 1 A\n  1. Q?\n    word。1 w2 L2\n\n---\n\n1. first↩\n  2. second↩︎"
    bank = parse_bank(text)
    q = bank.chapters[0].questions[0]
    assert q.answer_markdown == "word。 w2 L2"
    assert q.errata == ["first"]
    assert bank.unattached_errata == ["second"]
    assert bank.warnings == ["line 9: reference to footnote 2 not found"]


def test_small_bank_round_trip() -> None:
    text = (
        "Title\n\nIntro *md*\n\nChapter 3 Three(非重点)\n\nPart I. One\n\n"
        "  1. Latin1word? 💻 答案。\n\n    • a\n      • b\n\n    👦 笔记2在这\n"
        "  2. (optional) Q?\n    1. x\n\n      para\n"
        "Part II. Two\n  1. Only prompt?\n\n  1. f1↩︎\n  2. f2↩︎\n"
    )
    bank = parse_bank(text)
    assert question(bank, 3, "I.1").errata == ["f1", "f2"]
    assert question(bank, 3, "I.1").prompt == "Latin word?"
    assert parse_bank(render_bank(bank)) == bank


def test_render_without_line_numbers() -> None:
    bank = parse_bank(MINIMAL)
    for chapter in bank.chapters:
        chapter.line = 0
        for q in chapter.questions:
            q.line = 0
    again = parse_bank(render_bank(bank))
    assert again.chapters[0].questions[0].answer_markdown == "A"
    assert again.title == "T"
