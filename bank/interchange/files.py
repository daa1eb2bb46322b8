"""Importing and exporting whole files: format detection and dispatch (the commands and the admin
call these)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..bank_format import BankFormatError, decode_bank_bytes, parse_bank, render_bank
from ..bank_import import bank_import
from ..models import Course, Question
from .detect import FORMATS, decode_text, detect_format
from .gift import read_gift, write_gift
from .mapping import (
    ImportReport,
    bank_from_questions,
    blocking_error,
    items_from_questions,
    items_import,
    questions_for_export,
)
from .moodle_xml import read_moodle_xml, write_moodle_xml
from .types import InterchangeError, ReadResult

EXTENSIONS = {"moodle-xml": "xml", "gift": "gift.txt", "bank": "txt"}


def read_items(data: bytes, fmt: str) -> ReadResult:
    if fmt == "moodle-xml":
        decode_text(data)  # the same clear error for an empty or binary file
        return read_moodle_xml(data)
    if fmt == "gift":
        return read_gift(decode_text(data))
    raise ValueError(f"not an interchange format: {fmt}")


def questions_import_file(
    *,
    data: bytes,
    fmt: str | None = None,
    course_title: str | None = None,
    skip_unsupported: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import a Moodle XML, GIFT or bank text file (format detected when `fmt` is None).

    Atomic: any problem raises InterchangeError (with the problems and their lines) and writes
    nothing, unless `skip_unsupported` (interchange formats only), which imports the rest.
    """
    if fmt is None:
        fmt = detect_format(decode_text(data))
    if fmt not in FORMATS:
        raise InterchangeError(f"unknown format '{fmt}': expected one of {', '.join(FORMATS)}")
    if progress:
        progress(f"format: {fmt}")
    if fmt == "bank":
        try:
            bank = parse_bank(decode_bank_bytes(data))
        except BankFormatError as exc:
            raise InterchangeError(exc.message, line=exc.line) from None
        summary = bank_import(bank, course_title=course_title, progress=progress)
        return ImportReport(
            course=summary.course,
            format=fmt,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
            warnings=summary.warnings,
        )
    result = read_items(data, fmt)
    if progress:
        progress(f"read {len(result.items)} questions, {len(result.problems)} problems")
    if result.problems and not skip_unsupported:
        raise blocking_error(result.problems)
    return items_import(
        result, course_title=course_title, fmt=fmt, skip_unsupported=skip_unsupported, progress=progress
    )


@dataclass
class Export:
    text: str
    count: int
    warnings: list[str] = field(default_factory=list)


def questions_export(questions: Iterable[Question], *, fmt: str, course: Course | None = None) -> Export:
    """The questions as a Moodle XML, GIFT or bank text file; what cannot be written is in `warnings`."""
    questions = list(questions)
    if fmt == "bank":
        if course is None:
            courses = {q.chapter.course_id for q in questions}
            if len(courses) > 1:
                raise InterchangeError("the bank text format holds one course: select questions of one course")
            course = questions[0].chapter.course if questions else Course(title="Questions")
        bank, warnings = bank_from_questions(course, questions)
        count = sum(len(c.questions) for c in bank.chapters)
        return Export(render_bank(bank) if count else "", count, warnings)
    items, warnings = items_from_questions(questions)
    if fmt == "moodle-xml":
        return Export(write_moodle_xml(items), len(items), warnings)
    if fmt == "gift":
        return Export(write_gift(items), len(items), warnings)
    raise InterchangeError(f"unknown format '{fmt}': expected one of {', '.join(FORMATS)}")


def questions_to_export(*, course: Course, chapter_number: int | None = None):
    questions = questions_for_export().filter(chapter__course=course).select_related("chapter__course")
    if chapter_number is not None:
        questions = questions.filter(chapter__number=chapter_number)
    return questions


__all__ = ["EXTENSIONS", "Export", "questions_export", "questions_import_file", "questions_to_export", "read_items"]
