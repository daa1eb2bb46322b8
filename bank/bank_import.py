"""Importing a question bank in the course's text format (see `bank_format.py`) into the database.

A "list at least N" question whose reference answer is a plain list ("List at least four ways of
passive defense.") becomes an enumeration: N items needed, each listed item accepted with the
synonyms `grading.engine.list_prompt` proposes (from the item and from the keywords of its rubric
point in the rubric file), so naming 2 of 4 scores half. The bank text is their source, like the
reference answer's: a re-import puts them back as proposed.

A question with an entry in the bank's rubric file (`bank_rubrics.py`) gets that rubric, as a
person's: the file is the source of its rubric as the bank text is of its reference answer, so a
change to the entry replaces the question's rubric (an edit made in the admin included). Every
other new or changed free-text question gets key points proposed from its reference answer, so
it can be graded at once (instructors edit them; an edited rubric is never replaced by a
proposal).

Atomic (a bad file imports nothing) and idempotent: questions are matched by chapter number and
`ref`; an unchanged question is left alone, a changed one is updated, and a change to its answer
key (reference answer or rubric) raises its version once so answers graded under the old key can
be regraded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from grading.engine.list_prompt import propose_list_key

from .bank_format import BankFormatError, ParsedBank, ParsedChapter, ParsedQuestion, decode_bank_bytes, parse_bank
from .bank_rubrics import BankRubrics, RubricEntry, check_refs
from .language import question_language
from .models import Chapter, Course, Part, Question, QuestionKind
from .services import (
    accepted_sync,
    key_change,
    question_create,
    question_fields_set,
    rubric_propose,
    rubric_replace,
)

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
    rubrics_from_file: int = 0  # questions whose rubric is the rubric file's entry
    rubrics_changed: int = 0  # of those, how many this import set or changed
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
        "language": question_language(parsed.prompt),
    }


Accepted = list[tuple[str, list[str], bool]]


def _list_key(
    parsed: ParsedQuestion, entry: RubricEntry | None, question: Question | None
) -> tuple[dict[str, object], Accepted | None]:
    """The kind, `min_items` and accepted items of a "list at least N" question; ({}, None) otherwise.
    Synonyms come from the rubric file's entry, else from the rubric the question already has."""
    if entry:
        hints = [(p.text, tuple(p.keywords)) for p in entry.points]
    else:
        hints = [(p.text, tuple(p.keywords or ())) for p in question.rubric_points.all()] if question else []
    key = propose_list_key(parsed.prompt, parsed.answer_markdown, hints)
    if key is None:
        if question is not None and question.kind == QuestionKind.ENUMERATION:  # no longer a list: free text again
            return {"kind": QuestionKind.FREE_TEXT, "min_items": 0}, []
        return {}, None
    accepted = [(item.text, list(item.synonyms), False) for item in key.items]
    return {"kind": QuestionKind.ENUMERATION, "min_items": key.needed}, accepted


def _import_chapter(
    course: Course, parsed: ParsedChapter, position: int, summary: ImportSummary, rubrics: BankRubrics | None
) -> None:
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
    existing = {q.ref: q for q in Question.objects.filter(chapter=chapter).prefetch_related("rubric_points")}
    for i, pq in enumerate(parsed.questions, start=1):
        values = _question_values(pq, i, parts.get(pq.part) if pq.part else None)
        entry = rubrics.get(parsed.number, pq.ref) if rubrics else None
        list_values, accepted = _list_key(pq, entry, existing.get(pq.ref))
        values.update(list_values)
        _import_question(chapter, pq.ref, values, existing.get(pq.ref), entry, summary, accepted)


def _import_question(
    chapter: Chapter,
    ref: str,
    values: dict[str, object],
    question: Question | None,
    entry: RubricEntry | None,
    summary: ImportSummary,
    accepted: Accepted | None = None,
) -> None:
    if question is None:
        question_create(
            chapter=chapter, ref=ref, rubric=entry.points if entry else None, accepted=accepted or (), **values
        )
        if entry:
            summary.rubrics_from_file += 1
            summary.rubrics_changed += 1
        summary.created += 1
        return
    with key_change(question):  # the text, its reference answer and its rubric: one version at most
        changed = question_fields_set(question, values)
        if accepted is not None:
            changed += ["accepted_answers"] if accepted_sync(question, accepted) else []
        rubric_changed = False
        if entry:
            rubric_changed = rubric_replace(question=question, points=entry.points)
            summary.rubrics_from_file += 1
            summary.rubrics_changed += rubric_changed
        elif changed:
            rubric_propose(question)
    if changed or rubric_changed:
        summary.updated += 1
    else:
        summary.unchanged += 1


def bank_import(
    bank: ParsedBank,
    *,
    course_title: str | None = None,
    rubrics: BankRubrics | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import a parsed bank into the course `course_title` (default: the bank's own title), with
    the person-written `rubrics` for the questions they name (`read_rubrics`).

    Raises RubricFileError, before writing anything, when an entry names a question not in the bank.
    """
    if rubrics is not None:
        check_refs(rubrics, bank)
    title = course_title or bank.title
    slug = slugify(title, allow_unicode=True)[:100] or "course"
    with transaction.atomic():
        course, _ = Course.objects.get_or_create(slug=slug, defaults={"title": title, "description": bank.preamble})
        summary = ImportSummary(course=course, warnings=list(bank.warnings))
        for position, chapter in enumerate(bank.chapters, start=1):
            _import_chapter(course, chapter, position, summary, rubrics)
            summary.chapters += 1
            if progress:
                progress(f"chapter {chapter.number} {chapter.title}: {len(chapter.questions)} questions")
    return summary
