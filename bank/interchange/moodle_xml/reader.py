"""Reading Moodle XML into `Item`s: the supported question types, every other type or unknown
element a `Problem`, what the bank has no place for a warning."""

from __future__ import annotations

from ..text import has_wildcard, html_to_markdown, wildcard_to_regex
from ..types import AcceptedItem, ChoiceItem, InterchangeError, Item, Problem, ReadResult
from .tree import Node, parse_xml

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
