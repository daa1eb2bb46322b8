"""Moodle XML (`<quiz>` of `<question type="...">`): reading into `Item`s and writing them back.

Read with defusedxml (no entities, no external references), keeping the line of every element so
each problem names its line and element path. Supported types: multichoice (one or several
answers), truefalse, shortanswer, numerical, essay, and category entries (which set the chapter).
Every other type, and any element the reader does not know, is a `Problem`; presentation settings
(penalty, shuffling, numbering, response box size...) are read and ignored; feedback texts, hints,
tags, units and embedded files are reported as warnings on their question, since the bank has no
place for them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # writing only; reading goes through defusedxml
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from .text import has_wildcard, html_to_markdown, regex_to_wildcard, wildcard_to_regex
from .types import AcceptedItem, ChoiceItem, InterchangeError, Item, Problem, ReadResult

MOODLE_TYPES = {
    "multichoice": "choice",
    "truefalse": "true_false",
    "shortanswer": "short_text",
    "numerical": "numeric",
    "essay": "free_text",
}
UNSUPPORTED_TYPES = {
    "matching": "matching",
    "cloze": "embedded answers (Cloze)",
    "multianswer": "embedded answers (Cloze)",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "randomsamatch": "random short-answer matching",
    "random": "random question",
    "description": "description (not a question)",
    "ordering": "ordering",
}
_COMMON = {"name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden", "idnumber", "tags", "hint"}
_COMBINED_FEEDBACK = {"correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect"}
KNOWN_ELEMENTS = {
    "multichoice": _COMMON
    | _COMBINED_FEEDBACK
    | {"single", "shuffleanswers", "answernumbering", "showstandardinstruction", "answer"},
    "truefalse": _COMMON | {"answer"},
    "shortanswer": _COMMON | {"usecase", "answer"},
    "numerical": _COMMON | {"answer", "units", "unitgradingtype", "unitpenalty", "showunits", "unitsleft"},
    "essay": _COMMON
    | {
        "responseformat",
        "responserequired",
        "responsefieldlines",
        "minwordlimit",
        "maxwordlimit",
        "attachments",
        "attachmentsrequired",
        "maxbytes",
        "filetypeslist",
        "graderinfo",
        "responsetemplate",
    },
}
_ANSWER_CHILDREN = {"text", "feedback", "tolerance", "file"}
_FEEDBACK_WARNED = {"generalfeedback", "correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"}


@dataclass
class Node:
    tag: str
    attrib: dict[str, str]
    line: int
    path: str
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str:
        node = self.find(tag)
        return node.text.strip() if node else ""


class _Builder:
    """ElementTree parser target that builds `Node`s carrying their line and path."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.stack: list[Node] = []
        self.root: Node | None = None
        self.counts: list[dict[str, int]] = [{}]

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        assert self.parser is not None
        line = self.parser.parser.CurrentLineNumber  # type: ignore[attr-defined]
        counts = self.counts[-1]
        counts[tag] = counts.get(tag, 0) + 1
        parent = self.stack[-1] if self.stack else None
        path = f"{parent.path}/{tag}[{counts[tag]}]" if parent else tag
        node = Node(tag, dict(attrib), line, path)
        if parent:
            parent.children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self.counts.append({})

    def end(self, tag: str) -> None:
        self.stack.pop()
        self.counts.pop()

    def data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].text += data

    def close(self) -> Node | None:
        return self.root


def parse_xml(data: bytes | str) -> Node:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InterchangeError(f"not well-formed XML: {exc}", line=line) from None
    except DefusedXmlException as exc:
        raise InterchangeError(f"refused XML: {exc}") from None
    if root is None:
        raise InterchangeError("empty XML document")
    return root


# --- reading --------------------------------------------------------------------------------


def _percent(value: str) -> float:
    return float(value) / 100


class _QuestionReader:
    def __init__(self, node: Node, qtype: str, category: str) -> None:
        self.node, self.qtype = node, qtype
        self.problems: list[Problem] = []
        name = node.find("name")
        self.item = Item(
            kind=MOODLE_TYPES[qtype],
            name=(name.child_text("text") if name else ""),
            prompt="",
            category=category,
            line=node.line,
        )

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(Problem(node.line, message, node.path))

    def text_of(self, node: Node | None, what: str) -> str:
        """The Markdown of a format-bearing element (`<questiontext format="html"><text>`)."""
        if node is None:
            return ""
        for child in node.children:
            if child.tag == "file":
                self.item.warnings.append(f"embedded file '{child.attrib.get('name', '?')}' in {what} not imported")
            elif child.tag != "text":
                self.problem(child, f"unknown element <{child.tag}> in <{node.tag}>")
        raw = node.child_text("text")
        if node.attrib.get("format", "html") != "html":
            return raw
        markdown, dropped = html_to_markdown(raw)
        if dropped:
            self.item.warnings.append(f"{', '.join(sorted(dropped))} in {what} not imported")
        return markdown

    def read(self) -> tuple[Item | None, list[Problem]]:
        known = KNOWN_ELEMENTS[self.qtype]
        for child in self.node.children:
            if child.tag not in known:
                self.problem(child, f"unknown element <{child.tag}> in a {self.qtype} question")
        item = self.item
        item.prompt = self.text_of(self.node.find("questiontext"), "the question text")
        if not item.prompt:
            self.problem(self.node, f"{self.qtype} question '{item.name}' has no question text")
        general = self.text_of(self.node.find("generalfeedback"), "the general feedback")
        grade = self.node.child_text("defaultgrade")
        if grade:
            try:
                item.points = float(grade)
            except ValueError:
                self.problem(self.node.find("defaultgrade") or self.node, f"defaultgrade '{grade}' is not a number")
        getattr(self, f"_read_{self.qtype}")(general)
        self._warn_extras()
        return (None if self.problems else item), self.problems

    def _warn_extras(self) -> None:
        ignored = []
        for tag in sorted(_FEEDBACK_WARNED - {"generalfeedback"}):
            if (node := self.node.find(tag)) and node.child_text("text"):
                ignored.append(tag)
        hints = [h for h in self.node.findall("hint") if h.child_text("text")]
        if hints:
            ignored.append(f"{len(hints)} hint(s)")
        tags = self.node.find("tags")
        if tags and tags.children:
            ignored.append("tags " + ", ".join(t.child_text("text") for t in tags.findall("tag")))
        if ignored:
            self.item.warnings.append("not imported (no place for it in the bank): " + "; ".join(ignored))

    def _answers(self) -> list[tuple[Node, float, str, str]]:
        """(node, fraction, Markdown text, feedback) of every <answer>."""
        out = []
        for answer in self.node.findall("answer"):
            for child in answer.children:
                if child.tag not in _ANSWER_CHILDREN or (child.tag == "tolerance" and self.qtype != "numerical"):
                    self.problem(child, f"unknown element <{child.tag}> in <answer>")
            try:
                fraction = _percent(answer.attrib.get("fraction", "0"))
            except ValueError:
                self.problem(answer, f"answer fraction '{answer.attrib.get('fraction')}' is not a number")
                continue
            if answer.attrib.get("format", "plain_text") == "html":
                text, _ = html_to_markdown(answer.child_text("text"))
            else:
                text = answer.child_text("text")
            feedback = answer.find("feedback")
            out.append((answer, fraction, text, feedback.child_text("text") if feedback else ""))
        if any(fb for *_, fb in out):
            self.item.warnings.append("feedback on answers not imported (no place for it in the bank)")
        return out

    def _read_multichoice(self, general: str) -> None:
        item = self.item
        single = self.node.child_text("single").lower() not in ("false", "0")
        item.kind = "single_choice" if single else "multiple_choice"
        item.reference_answer = general
        item.choices = [ChoiceItem(text, fraction, fb) for _, fraction, text, fb in self._answers()]
        if not any(c.fraction > 0 for c in item.choices):
            self.problem(self.node, f"multichoice question '{item.name}' has no correct answer")
        elif single:
            partial = [c.text for c in item.choices if 0 < c.fraction < 1 - 1e-6]
            if partial:
                item.warnings.append(
                    "partial credit on a single-answer question is not supported; imported as wrong: "
                    + ", ".join(partial)
                )
        else:
            correct = [c.fraction for c in item.choices if c.fraction > 0]
            wrong = [c.fraction for c in item.choices if c.fraction <= 0]
            expected = 1 / len(correct)
            if any(abs(f - expected) > 1e-4 for f in correct) or any(abs(f + expected) > 1e-4 for f in wrong):
                item.warnings.append(
                    "Moodle's answer weights are not kept: the platform scores (correct − wrong chosen) ÷ correct options"
                )

    def _read_truefalse(self, general: str) -> None:
        item = self.item
        item.reference_answer = general
        truth = None
        for node, fraction, text, _ in self._answers():
            word = text.strip().lower()
            if word not in ("true", "false"):
                self.problem(node, f"truefalse answer must be 'true' or 'false', not '{text}'")
            elif fraction > 0:
                truth = word == "true"
        if truth is None:
            self.problem(self.node, f"truefalse question '{item.name}' has no correct answer")
            return
        item.choices = [ChoiceItem("True", 1.0 if truth else 0.0), ChoiceItem("False", 0.0 if truth else 1.0)]

    def _read_shortanswer(self, general: str) -> None:
        item = self.item
        item.reference_answer = general
        if self.node.child_text("usecase") in ("1", "true"):
            item.warnings.append("case-sensitive matching is not supported: answers are matched ignoring case")
        plain: list[str] = []
        for _, fraction, text, _ in self._answers():
            if fraction >= 1 - 1e-6:
                if has_wildcard(text):
                    item.accepted.append(AcceptedItem(wildcard_to_regex(text), is_regex=True))
                else:
                    plain.append(text.replace("\\*", "*"))
            elif fraction > 0:
                item.warnings.append(f"answer '{text}' gives partial credit ({fraction:.0%}); not accepted")
        if plain:
            item.accepted.insert(0, AcceptedItem(plain[0], plain[1:]))
        if not item.accepted:
            self.problem(self.node, f"shortanswer question '{item.name}' has no 100% answer")

    def _read_numerical(self, general: str) -> None:
        item = self.item
        item.reference_answer = general
        if (units := self.node.find("units")) and units.children:
            item.warnings.append("units not imported: answers are plain numbers")
        for node, fraction, text, _ in self._answers():
            if text == "*":
                continue
            try:
                value = float(text)
                tolerance = float(node.child_text("tolerance") or 0)
            except ValueError:
                self.problem(node, f"numerical answer '{text}' is not a number")
                continue
            if fraction >= 1 - 1e-6 and item.numeric_value is None:
                item.numeric_value, item.numeric_tolerance = value, abs(tolerance)
            elif fraction > 0:
                item.warnings.append(f"answer {text} (±{tolerance}, {fraction:.0%}) not imported: one answer is kept")
        if item.numeric_value is None and not self.problems:
            self.problem(self.node, f"numerical question '{item.name}' has no 100% answer")

    def _read_essay(self, general: str) -> None:
        item = self.item
        grader_info = self.text_of(self.node.find("graderinfo"), "the grader information")
        item.reference_answer = grader_info or general
        if grader_info and general:
            item.warnings.append("general feedback not imported: the grader information is the reference answer")
        if (template := self.node.find("responsetemplate")) and template.child_text("text"):
            item.warnings.append("response template not imported")


def read_moodle_xml(data: bytes | str) -> ReadResult:
    """Read a Moodle XML quiz file. Raises InterchangeError only when it is not a readable `<quiz>`."""
    root = parse_xml(data)
    if root.tag != "quiz":
        raise InterchangeError(f"the root element is <{root.tag}>, expected <quiz>", line=root.line)
    result = ReadResult()
    category = ""
    for node in root.children:
        if node.tag != "question":
            result.problems.append(Problem(node.line, f"unknown element <{node.tag}> in <quiz>", node.path))
            continue
        qtype = node.attrib.get("type", "")
        if qtype == "category":
            category = node.find("category").child_text("text") if node.find("category") else ""
            continue
        if qtype not in MOODLE_TYPES:
            name = node.find("name")
            label = f" '{name.child_text('text')}'" if name else ""
            kind = UNSUPPORTED_TYPES.get(qtype, "unknown type")
            result.problems.append(
                Problem(node.line, f"question{label} of type '{qtype}' ({kind}) is not supported", node.path)
            )
            continue
        item, problems = _QuestionReader(node, qtype, category).read()
        result.problems += problems
        if item:
            result.items.append(item)
    return result


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
