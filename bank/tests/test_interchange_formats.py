"""Reading Moodle XML and GIFT without a database: what is read, what is reported, and where."""

from __future__ import annotations

import pytest

from bank.interchange.detect import detect_format
from bank.interchange.gift import escape, read_gift, unescape
from bank.interchange.moodle_xml import read_moodle_xml
from bank.interchange.text import html_to_markdown, parse_category, regex_to_wildcard, wildcard_to_regex
from bank.interchange.types import InterchangeError

MOODLE = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Chapter 8 SSL</text></category>
  </question>
  <question type="multichoice">
    <name><text>BERT</text></name>
    <questiontext format="html"><text><![CDATA[<p>Which model is <strong>bidirectional</strong>?</p>]]></text></questiontext>
    <generalfeedback format="html"><text>BERT reads both ways.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <correctfeedback format="html"><text></text></correctfeedback>
    <answer fraction="100" format="html"><text>BERT</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="0" format="html"><text>GPT</text><feedback format="html"><text></text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Pairs</text></name>
    <questiontext format="html"><text>Match them</text></questiontext>
  </question>
  <question type="essay">
    <name><text>Embedding</text></name>
    <questiontext format="html"><text>Why an autoencoder?</text></questiontext>
    <graderinfo format="html"><text>&lt;p&gt;学习紧凑表示&lt;/p&gt;</text></graderinfo>
    <colour>blue</colour>
  </question>
</quiz>
"""


def test_moodle_multichoice_is_read_with_html_turned_into_markdown_and_its_category():
    result = read_moodle_xml(MOODLE)
    item = result.items[0]
    assert (item.kind, item.name, item.points) == ("single_choice", "BERT", 2.0)
    assert item.prompt == "Which model is **bidirectional**?"
    assert item.reference_answer == "BERT reads both ways."
    assert [(c.text, c.is_correct) for c in item.choices] == [("BERT", True), ("GPT", False)]
    assert parse_category(item.category) == ((8, "SSL"), None)


def test_moodle_unsupported_type_and_unknown_element_are_reported_with_line_and_path():
    result = read_moodle_xml(MOODLE)
    messages = [str(p) for p in result.problems]
    assert len(result.items) == 1  # the matching and the essay with an unknown element are not read
    assert any("line 20" in m and "'Pairs'" in m and "matching" in m for m in messages)
    assert any("line 28" in m and "quiz/question[4]/colour[1]" in m and "<colour>" in m for m in messages)


def test_malformed_xml_names_its_line():
    with pytest.raises(InterchangeError) as caught:
        read_moodle_xml('<?xml version="1.0"?>\n<quiz>\n  <question type="essay">\n</quiz>\n')
    assert caught.value.line == 4
    assert "not well-formed" in caught.value.message


def test_xml_entities_are_refused():
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa">]>\n<quiz>&a;</quiz>'
    with pytest.raises(InterchangeError):
        read_moodle_xml(bomb)


def test_moodle_multiple_answers_and_wildcard_short_answers():
    xml = """<quiz>
<question type="multichoice"><name><text>M</text></name><questiontext format="plain_text"><text>Pick</text></questiontext>
<single>false</single>
<answer fraction="50"><text>a</text></answer><answer fraction="50"><text>b</text></answer>
<answer fraction="-100"><text>c</text></answer></question>
<question type="shortanswer"><name><text>S</text></name><questiontext format="plain_text"><text>Name it</text></questiontext>
<usecase>0</usecase><answer fraction="100"><text>auto*encoder</text></answer>
<answer fraction="100"><text>AE</text></answer><answer fraction="50"><text>coder</text></answer></question>
</quiz>"""
    multiple, short = read_moodle_xml(xml).items
    assert multiple.kind == "multiple_choice"
    assert [c.is_correct for c in multiple.choices] == [True, True, False]
    assert any("weights are not kept" in w for w in multiple.warnings)
    assert [(a.text, a.synonyms, a.is_regex) for a in short.accepted] == [
        ("AE", [], False),
        (wildcard_to_regex("auto*encoder"), [], True),
    ]
    assert any("'coder'" in w and "partial credit" in w for w in short.warnings)


def test_gift_reads_every_supported_type_with_categories_and_escapes():
    text = """// a comment
$CATEGORY: $course$/Chapter 9 生成模型

::T1::[markdown]GAN stands for \\{...\\}?{=Generative Adversarial Network =生成对抗网络}

::T2::Autoencoders are supervised.{F}

::T3::Pick two{~%50%a ~%50%b ~%-100%c}

::T4::Dropout?{#0.5:0.01}

::T5::Range{#1..3}

::T6::Explain \\: why.{####Because \\~ reasons.\\nSecond line.}

::T7::Pick one{=right ~wrong}
"""
    result = read_gift(text)
    assert not result.problems
    kinds = [(i.name, i.kind) for i in result.items]
    assert kinds == [
        ("T1", "short_text"),
        ("T2", "true_false"),
        ("T3", "multiple_choice"),
        ("T4", "numeric"),
        ("T5", "numeric"),
        ("T6", "free_text"),
        ("T7", "single_choice"),
    ]
    t1, t2, _, t4, t5, t6, _ = result.items
    assert t1.prompt == "GAN stands for {...}?"
    assert (t1.accepted[0].text, t1.accepted[0].synonyms) == ("Generative Adversarial Network", ["生成对抗网络"])
    assert parse_category(t1.category) == ((9, "生成模型"), None)
    assert [c.is_correct for c in t2.choices] == [False, True]
    assert (t4.numeric_value, t4.numeric_tolerance) == (0.5, 0.01)
    assert (t5.numeric_value, t5.numeric_tolerance) == (2.0, 1.0)
    assert (t6.prompt, t6.reference_answer) == ("Explain : why.", "Because ~ reasons.\nSecond line.")


def test_gift_syntax_error_and_matching_are_reported_with_their_line():
    text = "::ok::Fine{T}\n\n::broken::Never closed {=a ~b\n~c\n\n::pairs::Match{=a -> 1 =b -> 2}\n"
    result = read_gift(text)
    assert [i.name for i in result.items] == ["ok"]
    assert [(p.line, "'broken'" in p.message, "never closed" in p.message) for p in result.problems[:1]] == [
        (3, True, True)
    ]
    assert result.problems[1].line == 6 and "matching" in result.problems[1].message


def test_gift_escape_round_trips_special_characters_and_new_lines():
    text = "a ~ b = c # d { e } f : g \\ h\nnew line -> arrow 中文 \\n"
    assert unescape(escape(text)) == text
    assert "\n" not in escape(text)


def test_wildcards_and_regular_expressions_convert_both_ways():
    assert regex_to_wildcard(wildcard_to_regex("auto*encoder (AE)")) == "auto*encoder (AE)"
    assert regex_to_wildcard("colou?r") is None


def test_html_to_markdown_keeps_structure_and_reports_images():
    markdown, dropped = html_to_markdown("<p>Lists:</p><ul><li><b>one</b></li><li>two</li></ul><img src='x.png'>")
    assert markdown == "Lists:\n\n- **one**\n- two"
    assert dropped == {"img"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('<?xml version="1.0"?>\n<quiz></quiz>', "moodle-xml"),
        ("<quiz>\n</quiz>", "moodle-xml"),
        ("::Q1::What?{T}", "gift"),
        ("$CATEGORY: x\n\nWhat?{=a ~b}", "gift"),
        ("Deep Learning\nChapter 8 SSL\n  1. What?\n    An answer {with braces}.\n", "bank"),
    ],
)
def test_format_is_detected_from_content(text, expected):
    assert detect_format(text) == expected


def test_undetectable_content_asks_for_a_format():
    with pytest.raises(InterchangeError, match="--format"):
        detect_format("just some words\nand more words\n")


def test_moodle_essay_grader_info_in_html_becomes_the_markdown_reference_answer():
    xml = """<quiz><question type="essay"><name><text>Embedding</text></name>
<questiontext format="html"><text>&lt;p&gt;Why an &lt;em&gt;autoencoder&lt;/em&gt;?&lt;/p&gt;</text></questiontext>
<generalfeedback format="html"><text>See chapter 8.</text></generalfeedback>
<responseformat>editor</responseformat><responserequired>1</responserequired>
<graderinfo format="html"><text>&lt;p&gt;学习紧凑表示&lt;/p&gt;&lt;ul&gt;&lt;li&gt;降维&lt;/li&gt;&lt;/ul&gt;</text></graderinfo>
<hint format="html"><text>Think of compression.</text></hint>
</question></quiz>"""
    result = read_moodle_xml(xml)
    item = result.items[0]
    assert (item.kind, item.prompt, item.reference_answer) == (
        "free_text",
        "Why an *autoencoder*?",
        "学习紧凑表示\n\n- 降维",
    )
    assert any("general feedback not imported" in w for w in item.warnings)
    assert any("1 hint(s)" in w for w in result.warnings)


def test_gift_true_false_feedback_and_missing_word_questions():
    result = read_gift("The sky is {T#No, look up.#Yes.} blue.\n\nCapital of France: {=Paris ~Lyon} city.\n")
    truth, missing = result.items
    assert truth.kind == "true_false" and truth.prompt == "The sky is _____ blue."
    assert any("feedback" in w for w in truth.warnings)
    assert (missing.kind, missing.prompt) == ("single_choice", "Capital of France: _____ city.")
