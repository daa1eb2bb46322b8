"""A person's grade: an override of one answer or of a whole group of answers with one decision.

Overrides are final: the engine and regrades never replace them (see `writing.needs_grade`). They
also teach the engine: every override of a question is a graded example that calibrates the
automatic scoring of that question, so after an override the question's remaining engine grades in
the assignment are re-scored by a calibration job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from classes import policy
from common.errors import ClassroomError, NotVisible
from quizzes.errors import AttemptInProgress
from quizzes.models import Answer, Attempt, AttemptQuestion

from .. import queueing
from ..models import Grade, GradingJob
from .jobs import attempts_refresh_status, log_event


class OverrideRefused(ClassroomError):
    code = "override_refused"


def _parse_score(score: object) -> Decimal:
    try:
        value = Decimal(str(score))
    except (InvalidOperation, ValueError) as exc:
        raise OverrideRefused(_("The score must be a number.")) from exc
    if not value.is_finite():
        raise OverrideRefused(_("The score must be a number."))
    return value.quantize(Decimal("0.01"))


def _check(answers: list[Answer], score: Decimal, reason: str, max_points: dict[int, Decimal]) -> None:
    if not reason.strip():
        raise OverrideRefused(_("Give a reason: students see it with their grade."))
    if not answers:
        raise OverrideRefused(_("No answers to grade."))
    if any(a.attempt.status == Attempt.Status.IN_PROGRESS for a in answers):
        raise AttemptInProgress(
            _(
                "This attempt is still in progress: the student may still change the answer. Grade it once it is submitted."
            )
        )
    for answer in answers:
        top = max_points[answer.pk]
        if score < 0 or score > top:
            raise OverrideRefused(_("The score must be between 0 and %(max)s.") % {"max": top.normalize()})


def _allowed(answer_ids: Sequence[int], answers: list[Answer], actor: User) -> None:
    """The policy's `answer_grade` for every answer: 404 if one does not exist or is not the
    actor's to see, 403 for its own student. One check per (section, student) is enough: the rule
    depends on nothing else (one query per distinct section)."""
    if len(answers) != len(set(answer_ids)):
        raise NotVisible(_("Some of these answers do not exist or are not yours to grade."))
    seen: set[tuple[int, bool]] = set()
    for answer in answers:
        scope = (answer.attempt.assignment.section_id, answer.attempt.student_id == actor.pk)
        if scope not in seen:
            seen.add(scope)
            policy.answer_grade(actor, answer)


@transaction.atomic
def grade_override(
    *, answer_ids: Sequence[int], score: object, reason: str, actor: User, now: datetime | None = None
) -> list[Grade]:
    """Give each answer `score` with `reason`, by `actor` (staff of the answers' sections).

    Refused (nothing written): by the policy; for an attempt still in progress (the student may
    still change the answer); without a reason; with a score outside 0..the answer's points.
    """
    now = now or timezone.now()
    value = _parse_score(score)
    answers = list(
        Answer.objects.select_for_update(of=("self",))
        .filter(pk__in=answer_ids)
        .select_related("attempt__assignment", "question")
        .order_by("pk")
    )
    _allowed(answer_ids, answers, actor)
    points = {
        (aq.attempt_id, aq.question_id): aq.points
        for aq in AttemptQuestion.objects.filter(attempt_id__in={a.attempt_id for a in answers})
    }
    max_points = {a.pk: points.get((a.attempt_id, a.question_id), a.question.points) for a in answers}
    _check(answers, value, reason, max_points)
    current = {g.answer_id: g for g in Grade.objects.filter(answer__in=answers, is_current=True)}
    Grade.objects.filter(pk__in=[g.pk for g in current.values()]).update(is_current=False)
    grades = Grade.objects.bulk_create(
        Grade(
            answer=a,
            status=Grade.Status.OVERRIDDEN,
            score=value,
            max_points=max_points[a.pk],
            feedback=current[a.pk].feedback if a.pk in current else "",
            details={"cause": "override", "engine_score": str(current[a.pk].score) if a.pk in current else None},
            confidence=1.0,
            grader="person",
            grader_version="",
            question_version=a.question.version,
            overridden_by=actor,
            overridden_at=now,
            override_reason=reason.strip(),
        )
        for a in answers
    )
    attempts_refresh_status({a.attempt_id for a in answers})
    queueing.scores_changed({a.attempt_id for a in answers})
    for question_id, assignment_id in {(a.question_id, a.attempt.assignment_id) for a in answers}:
        calibration_start(question_id=question_id, assignment_id=assignment_id)
    return grades


def calibration_start(*, question_id: int, assignment_id: int) -> GradingJob | None:
    """Re-score the question's engine grades in the assignment with the instructor's scores as examples.

    One pending calibration job per question and assignment is enough: several overrides in a row
    join the job already queued instead of starting one each.
    """
    queued = GradingJob.objects.filter(
        kind=GradingJob.Kind.CALIBRATE,
        question_id=question_id,
        assignment_id=assignment_id,
        status=GradingJob.Status.QUEUED,
    ).first()
    if queued is not None:
        return None
    job = GradingJob.objects.create(
        kind=GradingJob.Kind.CALIBRATE, question_id=question_id, assignment_id=assignment_id
    )
    log_event("job.created", job, question=question_id, assignment=assignment_id)
    transaction.on_commit(lambda: queueing.enqueue_job(job.pk))
    return job
