"""Scoring a chunk of answers with the engine and writing the grades.

Exactly one current grade per answer, whatever the number of deliveries or workers: scores are
computed without locks, then the answer rows are locked (in primary-key order, so two workers never
deadlock), current grades re-read, and only answers that still need a grade get one. A person's
override is never replaced.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from bank.models import Question
from quizzes.models import Answer, Attempt, AttemptQuestion

from .. import adapters
from ..engine.batch import grade_batch, grader_version
from ..engine.types import OBJECTIVE_KINDS, GradedExample, QuestionKey, Result
from ..models import Grade, GradingJob
from . import score_cache
from .leases import Lease, LeaseLost

logger = logging.getLogger("grading.jobs")

# With a heartbeat (a leased chunk), the engine gets a question's unknown responses this many at a
# time and the lease is renewed in between: 64 free-text answers take 2-4 s on one core, so a
# worker slowed down several times over by the web still renews a 20 s lease. Results do not
# depend on the batch (the score cache relies on that too); the model's per-call overhead (the
# key's own texts) is a few percent of 64 answers.
SCORE_BATCH = 64

Heartbeat = Callable[[], None]


@dataclass(frozen=True)
class ChunkOutcome:
    graded: int
    skipped: int
    failed: dict[int, str] = field(default_factory=dict)  # answer id -> the engine's error
    lost: bool = False  # the chunk's lease was taken back: nothing written, its new owner grades it


@dataclass
class Scoring:
    """Grades computed for answers (not written yet), and the answers the engine failed on."""

    graded: list[tuple[Answer, Grade]] = field(default_factory=list)
    failed: dict[int, Exception] = field(default_factory=dict)  # answer id -> what the engine raised
    fresh: list[tuple[str, int, Result]] = field(default_factory=list)  # (digest, question, result) to cache
    scored: int = 0  # distinct responses the engine scored
    from_cache: int = 0  # answers whose result was in the score cache already


def needs_grade(current: Grade | None, question_version: int, rescore_before: datetime | None = None) -> bool:
    """No grade yet, or an engine grade made under an older answer key (or, when re-scoring with
    new calibration examples, made before `rescore_before`). Overrides are final."""
    if current is None:
        return True
    if current.status == Grade.Status.OVERRIDDEN:
        return False
    return current.question_version < question_version or (
        rescore_before is not None and current.created_at < rescore_before
    )


@dataclass(frozen=True)
class Example:
    """A person's grade of an answer, given to the engine as a calibration example."""

    grade_id: int
    response: object
    score: Decimal
    max_points: Decimal


def _examples(scopes: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[Example]]:
    """The overrides of answers to each (question, assignment): the examples that calibrate it.

    Scoped to the assignment being graded: another section's staff grade to their own standard,
    and their overrides must not move this section's grades (one query whatever the scopes)."""
    scopes = set(scopes)
    examples: dict[tuple[int, int], list[Example]] = defaultdict(list)
    if not scopes:
        return examples
    overrides = (
        Grade.objects.filter(
            is_current=True,
            status=Grade.Status.OVERRIDDEN,
            answer__question_id__in={q for q, _ in scopes},
            answer__attempt__assignment_id__in={a for _, a in scopes},
        )
        .select_related("answer__attempt")
        .order_by("pk")
    )
    for grade in overrides:
        scope = (grade.answer.question_id, grade.answer.attempt.assignment_id)
        if scope in scopes:
            examples[scope].append(Example(grade.pk, grade.answer.response, grade.score, grade.max_points))
    return examples


def _current_grades(answer_ids: Iterable[int]) -> dict[int, Grade]:
    return {g.answer_id: g for g in Grade.objects.filter(answer_id__in=list(answer_ids), is_current=True)}


def _load_questions(question_ids: Iterable[int]) -> dict[int, Question]:
    return Question.objects.prefetch_related("choices", "accepted_answers", "rubric_points").in_bulk(list(question_ids))


def _new_grade(
    answer: Answer, question: Question, result: Result, max_points: Decimal, examples: Sequence[Example]
) -> Grade:
    return Grade(
        answer_id=answer.pk,
        status=Grade.Status.NEEDS_REVIEW if result.needs_review else Grade.Status.AUTO,
        score=None if result.pending else adapters.to_points(result.score),
        max_points=max_points,
        feedback=result.feedback,
        details={
            **result.details,
            "flags": list(result.flags),
            "key_points": [
                {
                    "text": k.text,
                    "covered": k.covered,
                    "strength": round(k.strength, 3),
                    "state": k.state or ("covered" if k.covered else "missing"),
                    "evidence": k.evidence,
                }
                for k in result.key_points
            ],
            "recognised": list(result.recognised),
        },
        confidence=result.confidence,
        grader=question.kind,
        grader_version=result.grader,
        question_version=question.version,
        calibration_examples=[e.grade_id for e in examples],
    )


@dataclass
class _Group:
    """One (question, assignment, points) group of a chunk, ready for the engine."""

    question: Question
    max_points: Decimal
    answers: list[Answer]
    used: list[Example]
    key: QuestionKey
    examples: list[GradedExample]
    responses: list[Any]
    digests: list[str]
    free_text_grader: str


def _prepare(question: Question, max_points: Decimal, group: list[Answer], used: list[Example]) -> _Group:
    key = adapters.question_key(question, max_points)
    examples = [
        GradedExample(adapters.engine_response(question, e.response), float(e.score / e.max_points * max_points))
        for e in used
    ]
    responses = [adapters.engine_response(question, a.response) for a in group]
    free_text_grader = adapters.free_text_grader()
    grader = grader_version(key, free_text_grader)
    digests = [
        score_cache.digest(
            question_id=question.pk,
            question_version=question.version,
            key=key,
            examples=examples,
            grader=grader,
            response=r,
        )
        for r in responses
    ]
    return _Group(question, max_points, group, used, key, examples, responses, digests, free_text_grader)


def _batches(todo: dict[str, Any], heartbeat: Heartbeat | None) -> list[list[tuple[str, Any]]]:
    items = list(todo.items())
    size = SCORE_BATCH if heartbeat else max(len(items), 1)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _score_group(
    group: _Group, hits: set[str], cached: dict[str, Result], scoring: Scoring, heartbeat: Heartbeat | None = None
) -> None:
    """Results for a group: from the cache where the digest is known, else from the engine (one
    batch of the distinct unknown responses, or batches of SCORE_BATCH with a heartbeat before
    each), and the fresh ones kept in `cached` and `scoring.fresh`."""
    todo = {d: r for d, r in zip(group.digests, group.responses, strict=True) if d not in cached}
    grader = grader_version(group.key, group.free_text_grader)
    for batch in _batches(todo, heartbeat):
        if heartbeat:
            heartbeat()
        results = grade_batch(
            group.key, [r for _, r in batch], examples=group.examples, free_text_grader=group.free_text_grader
        )
        for (d, _), result in zip(batch, results, strict=True):
            cached[d] = result
            if result.grader == grader:  # the digest names the grader that actually scored it
                scoring.fresh.append((d, group.question.pk, result))
    scoring.scored += len(todo)
    scoring.from_cache += sum(d in hits for d in group.digests)
    scoring.graded.extend(
        (a, _new_grade(a, group.question, cached[d], group.max_points, group.used))
        for a, d in zip(group.answers, group.digests, strict=True)
    )


def score_answers(
    answers: Sequence[Answer], questions: dict[int, Question], *, heartbeat: Heartbeat | None = None
) -> Scoring:
    """Run the engine over answers grouped by (question, assignment, points); no grade is written.

    Each group is calibrated with the overrides of its own assignment (`_examples`), and each
    grade records their ids in `calibration_examples`. Responses already scored under the same
    key, calibration and grader come from the score cache (`score_cache`), the others are scored
    and added to it: a response is never scored twice, whichever path asks.

    A question the engine fails on (a bug, a key it cannot read) fails only its own answers: the
    rest of the chunk, e.g. the other questions of a student's attempt, is still graded.

    `heartbeat` is called between engine batches (a leased chunk renews its lease there); what it
    raises (LeaseLost) stops the scoring."""
    if not answers:
        return Scoring()
    points: dict[tuple[int, int], Decimal] = {}
    assignment_of: dict[int, int] = {}  # attempt -> assignment, read with the points (one query)
    for attempt_id, question_id, top, assignment_id in AttemptQuestion.objects.filter(
        attempt_id__in={a.attempt_id for a in answers}, question_id__in={a.question_id for a in answers}
    ).values_list("attempt_id", "question_id", "points", "attempt__assignment_id"):
        points[(attempt_id, question_id)] = top
        assignment_of[attempt_id] = assignment_id
    missing = {a.attempt_id for a in answers} - set(assignment_of)
    if missing:  # an answer without its drawn question (not made by the services)
        assignment_of.update(Attempt.objects.filter(pk__in=missing).values_list("pk", "assignment_id"))
    by_scope: dict[tuple[int, int, Decimal], list[Answer]] = defaultdict(list)
    for answer in answers:
        max_points = points.get((answer.attempt_id, answer.question_id), questions[answer.question_id].points)
        by_scope[(answer.question_id, assignment_of[answer.attempt_id], max_points)].append(answer)
    examples = _examples((q, a) for q, a, _ in by_scope)
    scoring = Scoring()
    groups: list[_Group] = []
    for (question_id, assignment_id, max_points), group in by_scope.items():
        question = questions[question_id]
        # Only free text is calibrated; the objective graders ignore examples, so none are recorded.
        used = [e for e in examples.get((question_id, assignment_id), []) if e.max_points]
        if question.kind in OBJECTIVE_KINDS:
            used = []
        try:
            groups.append(_prepare(question, max_points, group, used))
        except Exception as exc:  # one question's failure is recorded, not the chunk's
            logger.exception("engine failed on question=%s answers=%s", question_id, len(group))
            scoring.failed.update((a.pk, exc) for a in group)
    cached = score_cache.lookup(d for g in groups for d in g.digests)
    hits = set(cached)
    for prepared in groups:
        try:
            _score_group(prepared, hits, cached, scoring, heartbeat)
        except LeaseLost:
            raise
        except Exception as exc:  # one question's failure is recorded, not the chunk's
            logger.exception("engine failed on question=%s answers=%s", prepared.question.pk, len(prepared.answers))
            scoring.failed.update((a.pk, exc) for a in prepared.answers)
    score_cache.store(scoring.fresh)
    return scoring


def grade_answers(
    answer_ids: Sequence[int],
    *,
    job: GradingJob | None = None,
    rescore_before: datetime | None = None,
    attempt_jobs: Mapping[int, GradingJob] | None = None,
    lease: Lease | None = None,
) -> ChunkOutcome:
    """Grade one chunk of answers. A bounded number of queries whatever the chunk size.

    Each grade records the job that made it: `job`, or for a micro-batch of the per-attempt path
    (answers of several attempts) the job of each answer's attempt (`attempt_jobs`). With a
    `lease` (a batch chunk taken by a task) the lease is renewed while scoring and the write is
    fenced by it: a lease taken back meanwhile writes nothing (`ChunkOutcome.lost`)."""
    answers = list(Answer.objects.filter(pk__in=answer_ids).order_by("pk"))
    questions = _load_questions({a.question_id for a in answers})
    current = _current_grades(a.pk for a in answers)
    todo = [a for a in answers if needs_grade(current.get(a.pk), questions[a.question_id].version, rescore_before)]
    try:
        scoring = score_answers(todo, questions, heartbeat=lease.renew if lease else None)
    except LeaseLost:
        return ChunkOutcome(graded=0, skipped=0, lost=True)
    scored = scoring.graded
    with transaction.atomic():
        list(Answer.objects.select_for_update().filter(pk__in=[a.pk for a, _ in scored]).order_by("pk").values("pk"))
        if lease and not lease.finish():  # the fence: still ours, now done (in this transaction)
            return ChunkOutcome(graded=0, skipped=0, lost=True)
        current = _current_grades(a.pk for a, _ in scored)  # re-read under the lock: another worker may have won
        still = [(a, g) for a, g in scored if needs_grade(current.get(a.pk), g.question_version, rescore_before)]
        replaced = [current[a.pk].pk for a, _ in still if a.pk in current]
        if replaced:
            Grade.objects.filter(pk__in=replaced).update(is_current=False)
        for answer, grade in still:
            owner = job or (attempt_jobs or {}).get(answer.attempt_id)
            grade.job_id = owner.pk if owner else None
            grade.details["cause"] = owner.kind if owner else "direct"
        Grade.objects.bulk_create([g for _, g in still])
    failed = {pk: f"{type(exc).__name__}: {exc}" for pk, exc in scoring.failed.items()}
    return ChunkOutcome(graded=len(still), skipped=len(answers) - len(still) - len(failed), failed=failed)
