"""The line-by-line parser of the bank text format: chapters, parts, questions, their answers
(indented Markdown, source marks) and the footnotes that are errata."""

from __future__ import annotations

import re

from .decode import _normalise_newlines
from .types import (
    AI_MARK,
    AUTHOR_MARK,
    BankFormatError,
    ParsedBank,
    ParsedChapter,
    ParsedPart,
    ParsedQuestion,
    SourceMark,
)

_SENTINEL = {"ai": "\ufdd0", "author": "\ufdd1"}
_SOURCE_OF = {v: k for k, v in _SENTINEL.items()}
_MARK_CHARS = {AI_MARK: "ai", AUTHOR_MARK: "author"}

_MARK_RE = re.compile(f"([{AI_MARK}{AUTHOR_MARK}])[\ufe0e\ufe0f]?[ \t]*")
_CHAPTER_RE = re.compile(r"Chapter\s+(\d+)(?:\s+(.*))?")
_PART_RE = re.compile(r"Part\s+([IVXLCDM]+)\.\s*(.*)")
_QUESTION_RE = re.compile(r"(\d+)\.(?:\s+(.*))?")
_FOOTNOTE_RE = re.compile(r" {0,2}(\d+)\.\s+(.*?)\s*↩[\ufe0e\ufe0f]?\s*")
_RULE_RE = re.compile(r"(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|<hr\s*/?>")
_NOT_FOCUS_RE = re.compile(r"\s*[(（]\s*(?:非重点|optional)\s*(?:[)）]|$)", re.IGNORECASE)
_LIST_ITEM_RE = re.compile(r"^((?:[\ufdd0\ufdd1]|\s)*)(•\s*|[-*+]\s+|\d+[.)]\s+)?(.*)$")
_CONTENT_START_RE = re.compile(r" *(?:[-*+] +|\d+[.)] +)?")
_TRAILING_SENTINELS_RE = re.compile(r"[\s\ufdd0\ufdd1]*$")


# --- footnotes (errata) ---------------------------------------------------------------------


def _split_footnotes(lines: list[str]) -> tuple[int, list[tuple[int, str, int]]]:
    """Find the trailing footnote block: returns where the body ends and (number, text, line)."""
    notes: list[tuple[int, str, int]] = []
    i = len(lines) - 1
    while i >= 0:
        if lines[i].strip():
            match = _FOOTNOTE_RE.fullmatch(lines[i])
            if not match:
                break
            notes.append((int(match[1]), match[2], i + 1))
        i -= 1
    if not notes:
        return len(lines), []
    end = i if i >= 0 and _RULE_RE.fullmatch(lines[i].strip()) else i + 1
    notes.reverse()
    seen: set[int] = set()
    for number, _, line in notes:
        if number in seen:
            raise BankFormatError(f"duplicate footnote {number}", line)
        seen.add(number)
    return end, notes


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _is_ref_at(text: str, pos: int, size: int) -> bool:
    """Whether the digits at text[pos:pos+size] can be a footnote reference (not a number/name)."""
    before = text[pos - 1] if pos else "\n"
    after = text[pos + size] if pos + size < len(text) else "\n"
    if before.isspace() or before.isdigit() or after.isdigit():
        return False
    if before in ".," and pos >= 2 and text[pos - 2].isdigit():  # decimal like "1.2"
        return False
    return _is_latin(after) if _is_latin(before) else True


def _strip_footnote_refs(body: list[str], numbers: list[int]) -> tuple[list[str], dict[int, int]]:
    """Remove footnote reference digits; returns the cleaned lines and {footnote: line}.

    Footnotes are numbered in order of appearance, so ref k is searched after ref k-1, which
    keeps "w1", "L2-norm", "1623" or list numbers from being mistaken for references.
    """
    text = "\n".join(body)
    found: dict[int, int] = {}
    start = 0
    for number in sorted(numbers):
        digits = str(number)
        pos = text.find(digits, start)
        while pos != -1 and not _is_ref_at(text, pos, len(digits)):
            pos = text.find(digits, pos + 1)
        if pos != -1:
            found[number] = pos
            start = pos + len(digits)
    ref_lines = {n: text.count("\n", 0, pos) + 1 for n, pos in found.items()}
    for number, pos in sorted(found.items(), key=lambda item: -item[1]):
        end = pos + len(str(number))
        glue = " " if _is_latin(text[pos - 1]) else ""  # "denoising1autoencoder"
        text = text[:pos] + glue + text[end:]
    return text.split("\n"), ref_lines


# --- answers --------------------------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _expand_indent(line: str) -> str:
    """Tabs in the indentation count as 4 spaces; tabs inside the text are left alone."""
    lead = len(line) - len(line.lstrip(" \t"))
    return line[:lead].expandtabs(4) + line[lead:]


def _strip_not_focus(text: str) -> tuple[str, bool]:
    cleaned = text
    while match := _NOT_FOCUS_RE.search(cleaned):  # a loop: removing one can reveal another
        cleaned = cleaned[: match.start()] + cleaned[match.end() :]
    if cleaned == text:
        return text, False
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), True


def _format_row(relative_indent: int, content: str) -> str:
    """One answer line as Markdown: marks -> sentinels, "•" -> "- ", a nesting level = 4 spaces.

    The source nests by 2 spaces; Python-Markdown needs 4 per level, so indentation is doubled.
    Sentinels before a list marker move after it, so a mark always points at the item's text.
    """
    content = _MARK_RE.sub(lambda m: _SENTINEL[_MARK_CHARS[m[1]]], content)
    match = _LIST_ITEM_RE.match(content)
    assert match is not None  # the pattern matches any single line
    sentinels = "".join(ch for ch in match[1] if ch in _SOURCE_OF)
    marker = "- " if (match[2] or "").startswith("•") else match[2] or ""
    return " " * (2 * relative_indent) + marker + sentinels + match[3]


def _tidy(lines: list[str]) -> list[str]:
    """Trim trailing whitespace, collapse blank runs, and move a mark that ends a line (or is
    alone on it) to the start of the next line's text, where its source actually begins."""
    out: list[str] = []
    carry = ""
    for line in lines:
        tail = _TRAILING_SENTINELS_RE.search(line)
        assert tail is not None
        line = line[: tail.start()]
        if line.strip():
            if carry:
                at = _CONTENT_START_RE.match(line).end()  # type: ignore[union-attr]
                line, carry = line[:at] + carry + line[at:], ""
            out.append(line)
        elif out and out[-1]:
            out.append("")
        carry += "".join(ch for ch in tail[0] if ch in _SOURCE_OF)
    while out and not out[-1]:
        out.pop()
    if carry:
        out = [*out[:-1], (out[-1] if out else "") + carry]
    return out


def _build_answer(first: str | None, indented: list[str]) -> tuple[str, list[SourceMark]]:
    # A line holding nothing but a mark does not count towards the common indentation.
    base = min((_indent(line) for line in indented if _MARK_RE.sub("", line).strip()), default=0)
    rows = [(0, first)] if first else []
    rows += [(max(_indent(line) - base, 0), line.strip()) for line in indented]
    markdown = "\n".join(_tidy([_format_row(rel, content) for rel, content in rows]))
    marks: list[SourceMark] = []
    chars: list[str] = []
    for ch in markdown:
        if ch in _SOURCE_OF:
            marks.append(SourceMark(len(chars), _SOURCE_OF[ch]))
        else:
            chars.append(ch)
    return "".join(chars), marks


def _answer_source(marks: list[SourceMark]) -> str:
    sources = {mark.source for mark in marks}
    if len(sources) == 2:
        return "mixed"
    return sources.pop() if sources else "unspecified"


# --- the line-by-line parser ----------------------------------------------------------------


class _BankParser:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.head: list[str] = []  # title and preamble lines
        self.chapters: list[ParsedChapter] = []
        self.part: ParsedPart | None = None
        self.question: ParsedQuestion | None = None  # the open question, its answer still raw
        self.inline: str | None = None  # answer text that started on the question line
        self.answer_lines: list[str] = []
        self.owner: dict[int, ParsedQuestion] = {}  # line -> question that line belongs to
        self.warnings: list[str] = []

    def run(self) -> ParsedBank:
        if not any(_CHAPTER_RE.fullmatch(line.rstrip()) for line in self.lines):
            raise BankFormatError("no chapter found: expected a line like 'Chapter 8 Title'")
        for number, raw in enumerate(self.lines, start=1):
            line = _expand_indent(raw.rstrip())
            if not line:
                self._blank()
            elif not self.chapters:
                self._head_line(line, number)
            else:
                self._body_line(line, number)
        self._close_chapter()
        head = _tidy([line.rstrip() for line in self.head])
        title = head[0].strip() if head else ""
        if not title:
            self.warnings.append("no title line before the first chapter")
        preamble = "\n".join(head[1:]).strip("\n")
        return ParsedBank(title, preamble, self.chapters, [], self.warnings)

    def _blank(self) -> None:
        if self.question:
            self.answer_lines.append("")
        elif not self.chapters:
            self.head.append("")

    def _head_line(self, line: str, number: int) -> None:
        if _CHAPTER_RE.fullmatch(line):
            return self._chapter(line, number)
        if _PART_RE.fullmatch(line):
            raise BankFormatError("part heading before any chapter", number)
        if _indent(line) == 2 and _QUESTION_RE.fullmatch(line[2:]):
            raise BankFormatError("question before any chapter", number)
        self.head.append(line)

    def _body_line(self, line: str, number: int) -> None:
        indent = _indent(line)
        if indent == 0:
            if _CHAPTER_RE.fullmatch(line):
                self._chapter(line, number)
            elif match := _PART_RE.fullmatch(line):
                self._part(match[1], match[2].strip(), number)
            elif not _RULE_RE.fullmatch(line):
                raise BankFormatError(
                    "unexpected unindented text: expected 'Chapter N Title', 'Part I. Title', "
                    "a question indented 2 spaces or an answer indented 4+ spaces",
                    number,
                )
        elif indent == 2:
            match = _QUESTION_RE.fullmatch(line[2:])
            if not match:
                raise BankFormatError(
                    "a line indented 2 spaces must be a question like '  1. text' (answers are indented 4+ spaces)",
                    number,
                )
            self._question(int(match[1]), (match[2] or "").strip(), number)
        elif indent >= 3 and self.question:
            self.answer_lines.append(line)
            self.owner[number] = self.question
        elif indent >= 3:
            where = f"part {self.part.numeral}" if self.part else f"chapter {self.chapters[-1].number}"
            raise BankFormatError(f"answer line before any question in {where}", number)
        else:
            raise BankFormatError("unexpected indentation of 1 space", number)

    def _chapter(self, line: str, number: int) -> None:
        self._close_chapter()
        match = _CHAPTER_RE.fullmatch(line)
        assert match is not None
        chapter_number = int(match[1])
        for other in self.chapters:
            if other.number == chapter_number:
                raise BankFormatError(f"duplicate chapter {chapter_number} (first at line {other.line})", number)
        title, not_a_focus = _strip_not_focus((match[2] or "").strip())
        self.chapters.append(ParsedChapter(chapter_number, title, not_a_focus, number))
        self.part = None

    def _part(self, numeral: str, title: str, number: int) -> None:
        self._close_question()
        self._check_part_has_questions()
        chapter = self.chapters[-1]
        if any(part.numeral == numeral for part in chapter.parts):
            raise BankFormatError(f"duplicate part {numeral} in chapter {chapter.number}", number)
        self.part = ParsedPart(numeral, title, number)
        chapter.parts.append(self.part)

    def _question(self, number: int, text: str, line: int) -> None:
        self._close_question()
        chapter = self.chapters[-1]
        mark = _MARK_RE.search(text)
        prompt, inline = (text[: mark.start()].rstrip(), text[mark.start() :]) if mark else (text, None)
        prompt, not_a_focus = _strip_not_focus(prompt)
        if not prompt:
            raise BankFormatError(f"question {number} has an empty prompt", line)
        numeral = self.part.numeral if self.part else None
        for other in chapter.questions:
            if other.part == numeral and other.number == number:
                where = f"part {numeral} of chapter" if numeral else "chapter"
                raise BankFormatError(
                    f"duplicate question {number} in {where} {chapter.number} (first at line {other.line})", line
                )
        ref = f"{numeral}.{number}" if numeral else str(number)
        self.question = ParsedQuestion(number, ref, numeral, prompt, "", "unspecified", [], not_a_focus, [], line)
        self.inline, self.answer_lines, self.owner[line] = inline, [], self.question
        chapter.questions.append(self.question)

    def _close_question(self) -> None:
        question, self.question = self.question, None
        if question is None:
            return
        question.answer_markdown, question.source_marks = _build_answer(self.inline, self.answer_lines)
        question.answer_source = _answer_source(question.source_marks)
        if not question.answer_markdown:
            number = self.chapters[-1].number
            self.warnings.append(f"line {question.line}: chapter {number} question {question.ref} has no answer")

    def _check_part_has_questions(self) -> None:
        if self.part and not any(q.part == self.part.numeral for q in self.chapters[-1].questions):
            raise BankFormatError(f"part {self.part.numeral} has no questions", self.part.line)

    def _close_chapter(self) -> None:
        self._close_question()
        if not self.chapters:
            return
        self._check_part_has_questions()
        chapter = self.chapters[-1]
        if not chapter.questions:
            raise BankFormatError(f"chapter {chapter.number} has no questions", chapter.line)


def parse_bank(text: str) -> ParsedBank:
    """Parse a whole bank; malformed input raises BankFormatError (never a partial bank)."""
    text = _normalise_newlines(text)
    if not text.strip():
        raise BankFormatError("file is empty")
    lines = text.split("\n")
    body_end, notes = _split_footnotes(lines)
    body, ref_lines = _strip_footnote_refs(lines[:body_end], [n for n, _, _ in notes])
    parser = _BankParser(body)
    bank = parser.run()
    for number, note, note_line in notes:
        question = parser.owner.get(ref_lines.get(number, 0))
        if question is not None:
            question.errata.append(note)
            continue
        bank.unattached_errata.append(note)
        problem = "not found" if number not in ref_lines else "not inside a question"
        bank.warnings.append(f"line {note_line}: reference to footnote {number} {problem}")
    return bank
