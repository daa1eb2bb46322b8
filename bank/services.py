"""Writes of the question bank. Every change to a question goes through here, so one rule has one
implementation: **a change to the answer key raises the question's version exactly once** (answers
graded under the old key can then be regraded), however many rows the change writes.

- `key_change(question)`: a block of writes that count as one change. On leaving it the answer key
  (`question_key_snapshot`) is compared with the key on entering, and the version is raised once, in
  the database (`F("version") + 1`, never a read-modify-write), if they differ. Blocks nest: only the
  outermost block of a question compares, so `rubric_replace` inside an import's block is part of
  the import's one change.
- `question_create`: a new question (version 1) with its choices, accepted answers and rubric; a
  free-text question without a rubric gets one proposed from its reference answer.
- `question_fields_set`, `choices_sync`, `accepted_sync`, `rubric_replace`, `rubric_propose`: the
  writes an importer or the admin makes inside one `key_change`.
- `question_edited`: after the admin saved a question and its inlines in one form.

Used by the bank importer (`bank_import`), the interchange importer (`interchange.mapping`), the
admin and `seed_demo`. The platform itself writes here (imports, the admin behind Django's own
permissions), so these functions take no actor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from grading.engine.rubric import propose_rubric
from grading.engine.types import RubricPoint as EnginePoint

from .models import AcceptedAnswer, Chapter, Choice, Question, QuestionKind, RubricPoint

KeySnapshot = tuple[Any, ...]

# The questions whose `key_change` block is open in this context (nested blocks count as one change).
_changing: ContextVar[frozenset[int]] = ContextVar("bank_questions_changing", default=frozenset())


def question_key_snapshot(question: Question) -> KeySnapshot:
    """What a question is graded against: when this changes, its version must be raised.

    The key is everything the grader reads to score an answer: the kind, the reference answer
    (outer whitespace ignored), the numeric value and tolerances, `min_items`, the choices with
    their correct flags (in order for true/false, where the first choice means "true"; as a set
    otherwise), the accepted answers with synonyms and regex flags, and the rubric points with
    weights and keywords. Not the key: the prompt (fixing a typo must not invalidate grades),
    points (each attempt keeps its own), language, focus, source marks, errata, placement.
    Reads the prefetched `choices`, `accepted_answers` and `rubric_points` when present.
    """
    choices = [(c.text.strip(), c.is_correct) for c in question.choices.all()]
    accepted = sorted((a.text.strip(), tuple(a.synonyms or ()), a.is_regex) for a in question.accepted_answers.all())
    rubric = sorted((p.text.strip(), float(p.weight), tuple(p.keywords or ())) for p in question.rubric_points.all())
    return (
        question.kind,
        (question.reference_answer or "").strip(),
        question.numeric_value,
        question.numeric_abs_tolerance,
        question.numeric_rel_tolerance,
        question.min_items,
        tuple(choices) if question.kind == QuestionKind.TRUE_FALSE else tuple(sorted(choices)),
        tuple(accepted),
        tuple(rubric),
    )


def with_key(question_id: int) -> Question:
    """The question as stored, with what `question_key_snapshot` reads."""
    return Question.objects.prefetch_related("choices", "accepted_answers", "rubric_points").get(pk=question_id)


def question_key_changed(question: Question) -> None:
    """Raise the question's version by one, in the database. Writers call it through `key_change`
    (or `question_edited`), which decide whether the key changed; tests call it to stage a change."""
    Question.objects.filter(pk=question.pk).update(version=F("version") + 1)
    question.refresh_from_db(fields=["version"])


def _settle(question: Question, before: KeySnapshot) -> bool:
    """Raise the version once if the stored key differs from `before`. Returns whether it did."""
    if question_key_snapshot(with_key(question.pk)) == before:
        return False
    question_key_changed(question)
    return True


@dataclass
class KeyChange:
    question: Question
    changed: bool = False  # set on leaving the outermost block: the key changed and the version rose


@contextmanager
def key_change(question: Question, *, new: bool = False) -> Iterator[KeyChange]:
    """One change of a question (see the module's docstring). `new`: the question was just created
    in this block's transaction; its first key is version 1, so nothing is compared."""
    change = KeyChange(question)
    if question.pk in _changing.get():
        yield change  # part of an enclosing block of the same question, which compares
        return
    with transaction.atomic():
        before = None if new else question_key_snapshot(with_key(question.pk))
        token = _changing.set(_changing.get() | {question.pk})
        try:
            yield change
        finally:
            _changing.reset(token)
        if before is not None:
            change.changed = _settle(question, before)


def question_fields_set(question: Question, values: Mapping[str, object]) -> list[str]:
    """Store the fields of `values` that differ; returns their names (empty: nothing written)."""
    changed = [name for name, value in values.items() if getattr(question, name) != value]
    for name in changed:
        setattr(question, name, values[name])
    if changed:
        question.save(update_fields=[*changed, "updated_at"])
    return changed


def choices_sync(question: Question, wanted: Sequence[tuple[str, bool]]) -> bool:
    """Make the question's choices (text, correct) these, in this order. Updated in place (answers
    refer to choices by id): the same text first, then by position. Returns whether anything changed."""
    current = list(question.choices.all())
    if [(c.text, c.is_correct) for c in current] == list(wanted) and all(
        c.position == i for i, c in enumerate(current, start=1)
    ):
        return False
    free = list(current)
    matched: list[Choice | None] = []
    for text, _ in wanted:
        same = next((c for c in free if c.text == text), None)
        if same:
            free.remove(same)
        matched.append(same)
    for i, ((text, correct), choice) in enumerate(zip(wanted, matched, strict=True), start=1):
        if choice is None:
            choice = free.pop(0) if free else Choice(question=question)
        choice.text, choice.is_correct, choice.position = text, correct, i
        choice.save()
    Choice.objects.filter(pk__in=[c.pk for c in free]).delete()
    return True


def accepted_sync(question: Question, wanted: Sequence[tuple[str, list[str], bool]]) -> bool:
    """Make the question's accepted answers (text, synonyms, is_regex) these. Returns whether anything changed."""
    current = [(a.text, list(a.synonyms or []), a.is_regex) for a in question.accepted_answers.all()]
    if [(t, list(s), r) for t, s, r in wanted] == current:
        return False
    question.accepted_answers.all().delete()
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(question=question, text=t, synonyms=list(s), is_regex=r, position=i)
        for i, (t, s, r) in enumerate(wanted, start=1)
    )
    return True


def rubric_replace(*, question: Question, points: Sequence[EnginePoint], proposed: bool = False) -> bool:
    """Replace the question's rubric (one `key_change`: a different rubric raises the version once).

    Returns whether anything changed. `proposed` marks a rubric the platform proposed (it is
    re-proposed when the reference answer changes); a person's edit clears the mark.
    """
    with key_change(question):
        old = [(p.text, p.weight, list(p.keywords)) for p in question.rubric_points.all()]
        new = [(p.text, float(p.weight), list(p.keywords)) for p in points]
        if old == new and question.rubric_is_proposed == proposed:
            return False
        question.rubric_points.all().delete()
        RubricPoint.objects.bulk_create(
            RubricPoint(question=question, text=p.text, weight=p.weight, keywords=list(p.keywords), position=i)
            for i, p in enumerate(points, start=1)
        )
        Question.objects.filter(pk=question.pk).update(rubric_is_proposed=proposed)
        question.rubric_is_proposed = proposed
    return True


def rubric_propose(question: Question) -> bool:
    """Propose key points from the reference answer when the question has none, or only proposed ones
    (a person's rubric is never replaced). Returns whether the rubric changed.

    Called inside the change of the reference answer that calls for it, so together they raise
    the version once.
    """
    if question.kind != QuestionKind.FREE_TEXT or not question.reference_answer.strip():
        return False
    if question.rubric_points.exists() and not question.rubric_is_proposed:
        return False
    points = propose_rubric(question.reference_answer, prompt=question.prompt, lang=question.language)
    if not points:
        return False
    return rubric_replace(question=question, points=points, proposed=True)


@transaction.atomic
def question_create(
    *,
    chapter: Chapter,
    ref: str,
    choices: Sequence[tuple[str, bool]] = (),
    accepted: Sequence[tuple[str, list[str], bool]] = (),
    rubric: Sequence[EnginePoint] | None = None,
    **fields: Any,
) -> Question:
    """A new question (version 1) with its choices (text, correct) and accepted answers (text,
    synonyms, is_regex). A free-text question gets `rubric` as a person's, or else key points
    proposed from its reference answer."""
    question = Question.objects.create(chapter=chapter, ref=ref, **fields)
    with key_change(question, new=True):
        if choices:
            choices_sync(question, choices)
        if accepted:
            accepted_sync(question, accepted)
        if rubric is not None:
            rubric_replace(question=question, points=rubric)
        else:
            rubric_propose(question)
    return question


def question_edited(
    *, question: Question, key_before: KeySnapshot | None, reference_before: str | None, rubric_edited: bool
) -> bool:
    """After a person saved a question (and its choices, accepted answers, rubric) in one form: a
    rubric they edited becomes theirs (no longer re-proposed); otherwise a proposed rubric follows a
    changed reference answer; and the version is raised once if the key changed (`key_before` is
    None for a new question). Returns whether the key changed."""
    with key_change(question, new=True):  # compared below against the key before the form's save
        if rubric_edited:
            if question.rubric_is_proposed:
                Question.objects.filter(pk=question.pk).update(rubric_is_proposed=False)
                question.rubric_is_proposed = False
        elif key_before is None or reference_before != question.reference_answer:
            rubric_propose(with_key(question.pk))
    return key_before is not None and _settle(question, key_before)
