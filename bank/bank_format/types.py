"""What the bank text format holds once parsed: the marks, the parsed bank's dataclasses, and its one error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

AI_MARK, AUTHOR_MARK = "\U0001f4bb", "\U0001f466"  # 💻, 👦
NOT_A_FOCUS = "(非重点)"
FOOTNOTE_BACKREF = "↩\ufe0e"
# Marks are swapped for Unicode noncharacters while the answer is reshaped, so their offsets can
# be read off the final Markdown in one pass.


class BankFormatError(ValueError):
    """A bank file that cannot be parsed; `line` is 1-based when the problem has a place."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True)
class SourceMark:
    offset: int  # character offset in the answer Markdown where this source starts
    source: str  # "ai" | "author"


@dataclass
class ParsedQuestion:
    number: int
    ref: str
    part: str | None
    prompt: str
    answer_markdown: str
    answer_source: str
    source_marks: list[SourceMark]
    not_a_focus: bool
    errata: list[str]
    line: int


@dataclass(frozen=True)
class ParsedPart:
    numeral: str
    title: str
    line: int


@dataclass
class ParsedChapter:
    number: int
    title: str
    not_a_focus: bool
    line: int
    parts: list[ParsedPart] = field(default_factory=list)
    questions: list[ParsedQuestion] = field(default_factory=list)


@dataclass
class ParsedBank:
    title: str
    preamble: str
    chapters: list[ParsedChapter]
    unattached_errata: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def questions(self) -> Iterator[tuple[ParsedChapter, ParsedQuestion]]:
        for chapter in self.chapters:
            for question in chapter.questions:
                yield chapter, question
