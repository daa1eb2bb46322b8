"""Mapping interchange `Item`s to the bank's models and back, and the import/export services.

Identity: a question exported by the platform is named "8.I.2 <first words of the prompt>"; the
leading "8.I.2" is its chapter and `ref`, so a Moodle round trip updates the same question. A
foreign question's name (or, with no name, its prompt) is hashed into a stable `ref` ("m…"), so
importing the same file again finds it again. A question lives in the chapter its category names.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify

from grading.engine.list_prompt import propose_list_key

from ..bank_format import ParsedBank, ParsedChapter, ParsedPart, ParsedQuestion, SourceMark
from ..language import question_language
from ..models import Chapter, Course, Part, Question, QuestionKind
from ..services import accepted_sync, choices_sync, key_change, question_create, question_fields_set, rubric_propose
from .text import category_path, parse_category, regex_to_wildcard
from .types import AcceptedItem, ChoiceItem, InterchangeError, Item, Problem, ReadResult

_OWN_NAME_RE = re.compile(r"(\d+)\.((?:([IVXLCDM]+)\.)?(\d+))(?:\s|$)")
DEFAULT_CHAPTER_TITLE = "Imported questions"
_NAME_EXCERPT = 60


def questions_for_export() -> QuerySet[Question]:
    return Question.objects.select_related("chapter", "part").prefetch_related(
        "choices", "accepted_answers", "rubric_points"
    )


# --- models -> items ------------------------------------------------------------------------


def question_name(question: Question) -> str:
    excerpt = " ".join(question.prompt.split())
    if len(excerpt) > _NAME_EXCERPT:
        excerpt = excerpt[: _NAME_EXCERPT - 1].rstrip() + "…"
    return f"{question.code} {excerpt}"


def item_from_question(question: Question) -> tuple[Item | None, list[str]]:
    """The question as an `Item`, or None with the reason when the formats cannot hold it."""
    label = f"question {question.code}"
    if question.kind == QuestionKind.ENUMERATION:
        return None, [f"{label} skipped: enumeration questions have no Moodle/GIFT equivalent"]
    warnings: list[str] = []
    part = (question.part.numeral, question.part.title) if question.part else None
    item = Item(
        kind=question.kind,
        name=question_name(question),
        prompt=question.prompt,
        category=category_path(question.chapter.number, question.chapter.title, part),
        reference_answer=question.reference_answer,
        points=float(question.points),
    )
    item.choices = [ChoiceItem(c.text, 1.0 if c.is_correct else 0.0) for c in question.choices.all()]
    if question.kind == QuestionKind.TRUE_FALSE:
        truth = bool(item.choices and item.choices[0].is_correct)
        item.choices = [ChoiceItem("True", 1.0 if truth else 0.0), ChoiceItem("False", 0.0 if truth else 1.0)]
    for accepted in question.accepted_answers.all():
        texts = [accepted.text, *(accepted.synonyms or [])]
        if accepted.is_regex:
            kept = [t for t in texts if regex_to_wildcard(t) is not None]
            if len(kept) < len(texts):
                warnings.append(f"{label}: regular expression answers other than '*' wildcards not exported")
            if kept:
                item.accepted.append(AcceptedItem(kept[0], kept[1:], is_regex=True))
        else:
            item.accepted.append(AcceptedItem(texts[0], texts[1:]))
    if question.kind == QuestionKind.SHORT_TEXT and not item.accepted:
        return None, [*warnings, f"{label} skipped: no accepted answer Moodle/GIFT can hold"]
    if question.kind == QuestionKind.NUMERIC:
        if question.numeric_value is None:
            return None, [f"{label} skipped: numeric question without a value"]
        item.numeric_value = question.numeric_value
        item.numeric_tolerance = max(
            question.numeric_abs_tolerance, question.numeric_rel_tolerance * abs(question.numeric_value)
        )
    if question.kind == QuestionKind.FREE_TEXT and question.rubric_points.all() and not question.rubric_is_proposed:
        warnings.append(f"{label}: its edited rubric is not exported (Moodle/GIFT have no rubric)")
    return item, warnings


def items_from_questions(questions: Iterable[Question]) -> tuple[list[Item], list[str]]:
    items: list[Item] = []
    warnings: list[str] = []
    for question in questions:
        item, notes = item_from_question(question)
        warnings += notes
        if item:
            items.append(item)
    return items, warnings


def _fits_text_format(question: Question) -> bool:
    """Free text, or a "list at least N" question the importer reads back from its prompt and list."""
    if question.kind == QuestionKind.FREE_TEXT:
        return True
    key = propose_list_key(question.prompt, question.reference_answer)
    return question.kind == QuestionKind.ENUMERATION and key is not None and key.needed == question.min_items


def bank_from_questions(course: Course, questions: Iterable[Question]) -> tuple[ParsedBank, list[str]]:
    """The questions as a `ParsedBank` for `render_bank`: free-text questions, and the lists the
    importer recognises (the text format has a prompt and a reference answer, no choices or
    numeric keys)."""
    chapters: dict[int, ParsedChapter] = {}
    warnings: list[str] = []
    for question in questions:
        chapter = question.chapter
        if not _fits_text_format(question):
            warnings.append(
                f"question {question.code} skipped: a {question.kind} question does not fit "
                "the bank text format (prompt and reference answer only)"
            )
            continue
        parsed = chapters.get(chapter.pk)
        if parsed is None:
            parsed = chapters[chapter.pk] = ParsedChapter(chapter.number, chapter.title, chapter.not_a_focus, 0)
        if question.part and all(p.numeral != question.part.numeral for p in parsed.parts):
            parsed.parts.append(ParsedPart(question.part.numeral, question.part.title, 0))
        parsed.questions.append(
            ParsedQuestion(
                number=question.number,
                ref=question.ref,
                part=question.part.numeral if question.part else None,
                prompt=question.prompt,
                answer_markdown=question.reference_answer,
                answer_source=question.answer_source,
                source_marks=[SourceMark(int(m["offset"]), m["source"]) for m in question.source_marks or []],
                not_a_focus=question.not_a_focus,
                errata=list(question.errata or []),
                line=0,
            )
        )
    for parsed in chapters.values():  # parts in their order, and questions in the order they are written
        parsed.parts.sort(key=lambda p: p.numeral and _roman(p.numeral))
        order = {None: 0, **{p.numeral: i for i, p in enumerate(parsed.parts, start=1)}}
        parsed.questions.sort(key=lambda q: order[q.part])
    return ParsedBank(course.title, course.description, list(chapters.values())), warnings


def _roman(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = values[ch]
        total += -value if following and values[following] > value else value
    return total


# --- items -> models ------------------------------------------------------------------------


@dataclass
class ImportReport:
    course: Course
    format: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    chapters_created: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {len(self.skipped)} skipped" if self.skipped else "")


def course_for_import(title: str | None) -> Course:
    """The course named `title` (by title or slug; created when missing), else the only course."""
    if title:
        slug = slugify(title, allow_unicode=True)[:100] or "course"
        course = Course.objects.filter(title=title).first() or Course.objects.filter(slug=title).first()
        return course or Course.objects.get_or_create(slug=slug, defaults={"title": title})[0]
    courses = list(Course.objects.all()[:2])
    if len(courses) == 1:
        return courses[0]
    raise InterchangeError(
        "no course yet: pass --course NAME" if not courses else "several courses: pass --course NAME"
    )


def item_ref(item: Item, chapter_number: int) -> tuple[str, int | None, str | None]:
    """(ref, number or None, part numeral or None) that identifies the item inside its chapter.

    A name "8.I.2 ..." in chapter 8 is one of ours (ref "I.2"); any other name is hashed, so a
    foreign "1.2 Vectors" filed under chapter 3 cannot collide with our refs.
    """
    if (match := _OWN_NAME_RE.match(item.name)) and int(match[1]) == chapter_number:
        return match[2], int(match[4]), match[3]
    basis = f"name:{item.name.strip()}" if item.name.strip() else f"prompt:{item.prompt.strip()}"
    return "m" + hashlib.sha1(basis.encode()).hexdigest()[:12], None, None  # noqa: S324 - an identity, not security


def choice_is_correct(kind: str, choice: ChoiceItem) -> bool:
    return choice.fraction >= 1 - 1e-6 if kind == QuestionKind.SINGLE_CHOICE else choice.fraction > 0


class _Importer:
    def __init__(self, course: Course, report: ImportReport) -> None:
        self.course, self.report = course, report
        self.chapters = {c.number: c for c in Chapter.objects.filter(course=course)}
        self.parts: dict[tuple[int, str], Part] = {
            (p.chapter_id, p.numeral): p for p in Part.objects.filter(chapter__course=course)
        }

    def chapter(self, item: Item) -> Chapter:
        named, _ = parse_category(item.category)
        number, title = named if named else (None, DEFAULT_CHAPTER_TITLE)
        if number is None:
            found = next((c for c in self.chapters.values() if c.title == title), None)
            if found:
                return found
            number = max(self.chapters, default=0) + 1
        if number not in self.chapters:
            position = max((c.position for c in self.chapters.values()), default=0) + 1
            self.chapters[number] = Chapter.objects.create(
                course=self.course, number=number, title=title, position=position
            )
            self.report.chapters_created += 1
        return self.chapters[number]

    def part(self, chapter: Chapter, item: Item, numeral: str | None) -> Part | None:
        _, named = parse_category(item.category)
        if named:
            numeral = named[0]
        if not numeral:
            return None
        key = (chapter.pk, numeral)
        if key not in self.parts and named:
            position = sum(1 for c, _ in self.parts if c == chapter.pk) + 1
            self.parts[key] = Part.objects.create(chapter=chapter, numeral=numeral, title=named[1], position=position)
        return self.parts.get(key)

    def run(self, items: list[Item], progress: Callable[[str], None] | None) -> None:
        placed: dict[tuple[int, str], Item] = {}
        resolved = []
        for item in items:
            chapter = self.chapter(item)
            ref, number, numeral = item_ref(item, chapter.number)
            if (chapter.pk, ref) in placed:
                first = placed[(chapter.pk, ref)]
                raise InterchangeError(
                    f"{item.where}: same name as the question at line {first.line} in chapter {chapter.number}",
                    [Problem(item.line, f"duplicate question '{item.name}' in chapter {chapter.number}")],
                )
            placed[(chapter.pk, ref)] = item
            resolved.append((item, chapter, ref, number, numeral))
        existing = {
            (q.chapter_id, q.ref): q
            for q in Question.objects.filter(chapter__in=[c for _, c, *_ in resolved]).prefetch_related(
                "choices", "accepted_answers", "rubric_points"
            )
        }
        for i, (item, chapter, ref, number, numeral) in enumerate(resolved, start=1):
            part = self.part(chapter, item, numeral)
            question = existing.get((chapter.pk, ref))
            if question is None:
                self._create(item, chapter, part, ref, number)
            else:
                self._update(question, item, part)
            if progress and (i % 50 == 0 or i == len(resolved)):
                progress(f"{i}/{len(resolved)} questions")

    def _values(self, item: Item) -> dict[str, object]:
        values: dict[str, object] = {
            "kind": item.kind,
            "prompt": item.prompt,
            "reference_answer": item.reference_answer,
            "language": question_language(item.prompt),
        }
        if item.points is not None and math.isfinite(item.points) and item.points >= 0:
            values["points"] = Decimal(str(round(item.points, 2)))
        if item.kind == QuestionKind.NUMERIC:
            values.update(
                numeric_value=item.numeric_value, numeric_abs_tolerance=item.numeric_tolerance, numeric_rel_tolerance=0
            )
        return values

    def _create(self, item: Item, chapter: Chapter, part: Part | None, ref: str, number: int | None) -> None:
        siblings = Question.objects.filter(chapter=chapter).aggregate(n=Max("number"), p=Max("position"))
        question_create(
            chapter=chapter,
            part=part,
            ref=ref,
            number=number or (siblings["n"] or 0) + 1,
            position=(siblings["p"] or 0) + 1,
            choices=_choices(item),
            accepted=_accepted(item),
            **self._values(item),
        )
        self.report.created += 1

    def _update(self, question: Question, item: Item, part: Part | None) -> None:
        values = self._values(item)
        if item.kind == QuestionKind.NUMERIC and question.numeric_value == item.numeric_value:
            effective = max(
                question.numeric_abs_tolerance, question.numeric_rel_tolerance * abs(item.numeric_value or 0)
            )
            if math.isclose(effective, item.numeric_tolerance, rel_tol=1e-9, abs_tol=1e-12):
                for name in ("numeric_abs_tolerance", "numeric_rel_tolerance"):
                    values.pop(name)  # the same tolerance, written differently
        if part is not None:
            values["part_id"] = part.pk
        with key_change(question):  # fields, choices, accepted answers, proposed rubric: one version at most
            changed = question_fields_set(question, values)
            touched = choices_sync(question, _choices(item)) | accepted_sync(question, _accepted(item))
            if "reference_answer" in changed or "kind" in changed:
                touched |= rubric_propose(questions_for_export().get(pk=question.pk))
        if changed or touched:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def _choices(item: Item) -> list[tuple[str, bool]]:
    return [(c.text, choice_is_correct(item.kind, c)) for c in item.choices]


def _accepted(item: Item) -> list[tuple[str, list[str], bool]]:
    return [(a.text, list(a.synonyms), a.is_regex) for a in item.accepted]


def blocking_error(problems: list[Problem]) -> InterchangeError:
    count = len(problems)
    return InterchangeError(
        f"{count} problem{'s' if count != 1 else ''}; nothing was imported (use --skip-unsupported to import the rest)",
        problems,
    )


def items_import(
    result: ReadResult,
    *,
    course_title: str | None,
    fmt: str,
    skip_unsupported: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Store what a reader read. Any problem stops the import (nothing is written) unless
    `skip_unsupported`, which imports the rest and lists what was skipped."""
    if result.problems and not skip_unsupported:
        raise blocking_error(result.problems)
    if not result.items:
        raise InterchangeError("no question to import", result.problems)
    with transaction.atomic():  # the course and chapters too: a failed import leaves nothing behind
        course = course_for_import(course_title)
        report = ImportReport(course=course, format=fmt, skipped=list(result.problems), warnings=result.warnings)
        _Importer(course, report).run(result.items, progress)
    return report
