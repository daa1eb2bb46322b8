"""The only writer of grades. Loads answers, groups them by question, scores them with the engine,
and writes the results in bulk with exactly one current grade per answer.

Idempotent: an answer that already has a current grade for its question's current version is
skipped, and a person's override is never replaced. Callers may run the same work twice (a task
delivered twice, two workers on one chunk): the answer rows are locked, so the second run sees the
first one's grades and writes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quizzes.models import Answer, Attempt, AttemptQuestion, Question

from . import adapters
from .engine.batch import ENGINE_VERSION, grade_batch
from .engine.types import Result
from .models import Grade, GradingJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkOutcome:
    graded: int
    skipped: int


def _needs_grade(answer: Answer, current: Grade | None) -> bool:
    if current is None:
        return True
    if current.status == Grade.Status.OVERRIDDEN:
        return False
    return current.question_version < answer.question.version


def _new_grade(answer: Answer, result: Result, max_points: Decimal, job: GradingJob | None) -> Grade:
    pending = result.details.get("pending", False)
    status = Grade.Status.NEEDS_REVIEW if result.needs_review else Grade.Status.AUTO
    return Grade(
        answer=answer,
        status=status,
        score=None if pending else adapters.to_points(result.score),
        max_points=max_points,
        feedback=result.feedback,
        details={
            **result.details,
            "flags": list(result.flags),
            "key_points": [
                {"text": k.text, "covered": k.covered, "strength": round(k.strength, 3)} for k in result.key_points
            ],
            "recognised": list(result.recognised),
        },
        confidence=result.confidence,
        grader=result.details.get("grader", answer.question.kind),
        grader_version=ENGINE_VERSION,
        question_version=answer.question.version,
        job=job,
    )


def _load_questions(question_ids: Iterable[int]) -> dict[int, Question]:
    return Question.objects.prefetch_related("choices", "accepted_answers", "rubric_points").in_bulk(list(question_ids))


@transaction.atomic
def grade_answers(answer_ids: Sequence[int], *, job: GradingJob | None = None) -> ChunkOutcome:
    """Grade the given answers (one chunk). A bounded number of queries whatever the chunk size."""
    answers = list(Answer.objects.select_for_update().filter(pk__in=answer_ids).order_by("pk"))
    questions = _load_questions({a.question_id for a in answers})
    for answer in answers:
        answer.question = questions[answer.question_id]
    current = {g.answer_id: g for g in Grade.objects.filter(answer_id__in=[a.pk for a in answers], is_current=True)}
    todo = [a for a in answers if _needs_grade(a, current.get(a.pk))]
    points = {
        (aq.attempt_id, aq.question_id): aq.points
        for aq in AttemptQuestion.objects.filter(
            attempt_id__in={a.attempt_id for a in todo}, question_id__in={a.question_id for a in todo}
        )
    }
    groups: dict[tuple[int, Decimal], list[Answer]] = defaultdict(list)
    for answer in todo:
        max_points = points.get((answer.attempt_id, answer.question_id), answer.question.points)
        groups[(answer.question_id, max_points)].append(answer)
    new_grades: list[Grade] = []
    for (question_id, max_points), group in groups.items():
        question = questions[question_id]
        key = adapters.question_key(question, max_points)
        results = grade_batch(key, [adapters.engine_response(question, a.response) for a in group])
        new_grades.extend(_new_grade(a, r, max_points, job) for a, r in zip(group, results, strict=True))
    replaced = [current[a.pk].pk for a in todo if a.pk in current]
    if replaced:
        Grade.objects.filter(pk__in=replaced).update(is_current=False)
    Grade.objects.bulk_create(new_grades)
    if job is not None:
        GradingJob.objects.filter(pk=job.pk).update(done=F("done") + len(answers))
    return ChunkOutcome(graded=len(new_grades), skipped=len(answers) - len(new_grades))


def attempt_refresh_status(attempt_id: int) -> Attempt:
    """Mark a submitted attempt `graded` once every answer has a final current grade."""
    attempt = Attempt.objects.get(pk=attempt_id)
    if attempt.status not in (Attempt.Status.SUBMITTED, Attempt.Status.AUTO_SUBMITTED):
        return attempt
    answer_ids = list(attempt.answers.values_list("pk", flat=True))
    final = Grade.objects.filter(answer_id__in=answer_ids, is_current=True).exclude(status=Grade.Status.NEEDS_REVIEW)
    if final.count() == len(answer_ids):
        Attempt.objects.filter(pk=attempt.pk, status=attempt.status).update(status=Attempt.Status.GRADED)
        attempt.refresh_from_db()
    return attempt


def attempt_grade(attempt_id: int) -> GradingJob | None:
    """Grade a submitted attempt (the per-attempt path). Safe to run any number of times."""
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.status == Attempt.Status.IN_PROGRESS:
        return None
    answer_ids = list(attempt.answers.values_list("pk", flat=True))
    job, _created = GradingJob.objects.get_or_create(
        kind=GradingJob.Kind.ATTEMPT,
        attempt=attempt,
        defaults={"assignment_id": attempt.assignment_id, "total": len(answer_ids)},
    )
    if job.status == GradingJob.Status.DONE:
        return job
    GradingJob.objects.filter(pk=job.pk).update(
        status=GradingJob.Status.RUNNING, started_at=timezone.now(), total=len(answer_ids), done=0
    )
    grade_answers(answer_ids, job=job)
    GradingJob.objects.filter(pk=job.pk).update(status=GradingJob.Status.DONE, finished_at=timezone.now())
    attempt_refresh_status(attempt.pk)
    logger.info("graded attempt=%s answers=%s job=%s", attempt.pk, len(answer_ids), job.pk)
    job.refresh_from_db()
    return job
