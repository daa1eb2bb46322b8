"""Importing a question bank in the course's text format (see `bank_format.py`) into the database.

Every new or changed free-text question gets key points proposed from its reference answer, so
it can be graded at once (instructors edit them; an edited rubric is never replaced).

Atomic (a bad file imports nothing) and idempotent: questions are matched by chapter number and
`ref`; an unchanged question is left alone, a changed one is updated, and a change to its answer
key raises its version so answers graded under the old key can be regraded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .authoring import rubric_propose
from .bank_format import BankFormatError, ParsedBank, ParsedChapter, ParsedQuestion, decode_bank_bytes, parse_bank
from .models import Chapter, Course, Part, Question

CJK = re.compile(r"[\u3400-\u9fff]")
# Fields that define the answer key: changing one raises the question's version.
KEY_FIELDS = ("reference_answer",)
CONTENT_FIELDS = (
    "prompt",
    "reference_answer",
    "answer_source",
    "source_marks",
    "errata",
    "not_a_focus",
    "number",
    "position",
    "part_id",
    "language",
)


@dataclass
class ImportSummary:
    course: Course
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    chapters: int = 0
    parts: int = 0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def read_bank(path: Path) -> ParsedBank:
    """Read and parse a bank file; every problem is a BankFormatError naming the file and line."""
    if not path.exists():
        raise BankFormatError(f"{path}: no such file")
    if path.is_dir():
        raise BankFormatError(f"{path}: is a directory, expected a text file")
    return parse_bank(decode_bank_bytes(path.read_bytes()))


def _question_values(parsed: ParsedQuestion, position: int, part: Part | None) -> dict[str, object]:
    return {
        "prompt": parsed.prompt,
        "reference_answer": parsed.answer_markdown,
        "answer_source": parsed.answer_source,
        "source_marks": [{"offset": m.offset, "source": m.source} for m in parsed.source_marks],
        "errata": list(parsed.errata),
        "not_a_focus": parsed.not_a_focus,
        "number": parsed.number,
        "position": position,
        "part_id": part.pk if part else None,
        "language": "zh" if CJK.search(parsed.prompt) else "en",
    }


def _import_chapter(course: Course, parsed: ParsedChapter, position: int, summary: ImportSummary) -> None:
    chapter, _ = Chapter.objects.update_or_create(
        course=course,
        number=parsed.number,
        defaults={"title": parsed.title, "position": position, "not_a_focus": parsed.not_a_focus},
    )
    parts = {}
    for i, p in enumerate(parsed.parts, start=1):
        parts[p.numeral], _ = Part.objects.update_or_create(
            chapter=chapter, numeral=p.numeral, defaults={"title": p.title, "position": i}
        )
    summary.parts += len(parts)
    existing = {q.ref: q for q in Question.objects.filter(chapter=chapter)}
    for i, pq in enumerate(parsed.questions, start=1):
        values = _question_values(pq, i, parts.get(pq.part) if pq.part else None)
        question = existing.get(pq.ref)
        if question is None:
            rubric_propose(Question.objects.create(chapter=chapter, ref=pq.ref, **values))
            summary.created += 1
            continue
        changed = [name for name, value in values.items() if getattr(question, name) != value]
        if not changed:
            summary.unchanged += 1
            continue
        for name in changed:
            setattr(question, name, values[name])
        if any(name in KEY_FIELDS for name in changed):
            question.version += 1
            changed.append("version")
        question.save(update_fields=[*changed, "updated_at"])
        rubric_propose(question)
        summary.updated += 1


def bank_import(
    bank: ParsedBank, *, course_title: str | None = None, progress: Callable[[str], None] | None = None
) -> ImportSummary:
    """Import a parsed bank into the course `course_title` (default: the bank's own title)."""
    title = course_title or bank.title
    slug = slugify(title, allow_unicode=True)[:100] or "course"
    with transaction.atomic():
        course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title, "description": bank.preamble})
        summary = ImportSummary(course=course, warnings=list(bank.warnings))
        for position, chapter in enumerate(bank.chapters, start=1):
            _import_chapter(course, chapter, position, summary)
            summary.chapters += 1
            if progress:
                progress(f"chapter {chapter.number} {chapter.title}: {len(chapter.questions)} questions")
    return summary
