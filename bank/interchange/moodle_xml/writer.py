"""Writing `Item`s as Moodle XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml

from ..text import regex_to_wildcard
from ..types import Item

# --- writing --------------------------------------------------------------------------------


def _fraction(value: float) -> str:
    text = f"{value * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def _text_element(parent: ET.Element, tag: str, text: str, fmt: str | None = "markdown") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = text
    return element


def _question_element(root: ET.Element, qtype: str, item: Item) -> ET.Element:
    question = ET.SubElement(root, "question", {"type": qtype})
    _text_element(question, "name", item.name, fmt=None)
    _text_element(question, "questiontext", item.prompt)
    _text_element(question, "generalfeedback", "" if qtype == "essay" else item.reference_answer)
    ET.SubElement(question, "defaultgrade").text = _number(item.points if item.points is not None else 1)
    ET.SubElement(question, "penalty").text = "0"
    ET.SubElement(question, "hidden").text = "0"
    return question


def _answer(question: ET.Element, fraction: float, text: str, fmt: str = "plain_text") -> ET.Element:
    answer = ET.SubElement(question, "answer", {"fraction": _fraction(fraction), "format": fmt})
    ET.SubElement(answer, "text").text = text
    return answer


def write_moodle_xml(items: list[Item]) -> str:
    """A Moodle XML file with a category entry before each change of category."""
    root = ET.Element("quiz")
    category = None
    for item in items:
        if item.category and item.category != category:
            entry = ET.SubElement(root, "question", {"type": "category"})
            _text_element(entry, "category", item.category, fmt=None)
            category = item.category
        if item.kind in ("single_choice", "multiple_choice"):
            question = _question_element(root, "multichoice", item)
            ET.SubElement(question, "single").text = "true" if item.kind == "single_choice" else "false"
            ET.SubElement(question, "shuffleanswers").text = "false"
            ET.SubElement(question, "answernumbering").text = "abc"
            correct = sum(1 for c in item.choices if c.is_correct) or 1
            for choice in item.choices:
                if item.kind == "single_choice":
                    fraction = 1.0 if choice.is_correct else 0.0
                else:
                    fraction = (1 if choice.is_correct else -1) / correct
                _answer(question, fraction, choice.text, "markdown")
        elif item.kind == "true_false":
            question = _question_element(root, "truefalse", item)
            truth = bool(item.choices and item.choices[0].is_correct)
            _answer(question, 1.0 if truth else 0.0, "true", "moodle_auto_format")
            _answer(question, 0.0 if truth else 1.0, "false", "moodle_auto_format")
        elif item.kind == "short_text":
            question = _question_element(root, "shortanswer", item)
            ET.SubElement(question, "usecase").text = "0"
            for accepted in item.accepted:
                for text in [accepted.text, *accepted.synonyms]:
                    if accepted.is_regex:
                        text = regex_to_wildcard(text) or text
                    else:
                        text = text.replace("*", "\\*")
                    _answer(question, 1.0, text, "moodle_auto_format")
        elif item.kind == "numeric":
            question = _question_element(root, "numerical", item)
            answer = _answer(question, 1.0, _number(item.numeric_value or 0), "moodle_auto_format")
            ET.SubElement(answer, "tolerance").text = _number(item.numeric_tolerance)
        elif item.kind == "free_text":
            question = _question_element(root, "essay", item)
            for tag, value in (("responseformat", "editor"), ("responserequired", "1"), ("responsefieldlines", "15")):
                ET.SubElement(question, tag).text = value
            ET.SubElement(question, "attachments").text = "0"
            _text_element(question, "graderinfo", item.reference_answer)
            _text_element(question, "responsetemplate", "")
        else:
            raise ValueError(f"cannot write a {item.kind} question as Moodle XML")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
