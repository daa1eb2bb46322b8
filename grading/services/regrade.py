"""Regrading after a question's answer key or rubric changed (its version was raised).

A dry run scores the affected answers without writing anything and lists old -> new per student;
applying starts a job that re-scores answers graded under older versions. Overrides are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bank.models import Question
from classes import policy
from common.errors import NotVisible
from quizzes.models import Assignment

from .. import queueing, selectors
from ..models import Grade, GradingJob
from .jobs import log_event
from .writing import _load_questions, needs_grade, score_answers


@dataclass(frozen=True)
class RegradeRow:
    answer_id: int
    student: str
    old_score: Decimal | None
    new_score: Decimal | None
    overridden: bool

    @property
    def changes(self) -> bool:
        return not self.overridden and self.old_score != self.new_score


def _allowed(actor: User | None, assignment_id: int | None, rule: policy.Rule) -> None:
    """One assignment's regrade: the rule on the assignment. Every assignment's (the admin's
    question page): superusers only. `actor=None`: the platform."""
    if actor is None:
        return
    if assignment_id is None:
        if not policy.is_admin(actor):
            raise NotVisible(_("Not found."))
        return
    rule(actor, Assignment.objects.get(pk=assignment_id))


def regrade_preview(
    question_id: int, *, assignment_id: int | None = None, actor: User | None = None
) -> list[RegradeRow]:
    """What a regrade would do, per answer graded under an older version. Writes nothing."""
    _allowed(actor, assignment_id, policy.assignment_staff_view)
    scope = selectors.job_answers(
        GradingJob(kind=GradingJob.Kind.REGRADE, question_id=question_id, assignment_id=assignment_id)
    )
    answers = list(scope.select_related("attempt__student").order_by("attempt__student__username", "pk"))
    questions = _load_questions([question_id])
    question: Question = questions[question_id]
    current = {g.answer_id: g for g in Grade.objects.filter(answer__in=answers, is_current=True)}
    stale = [a for a in answers if a.pk in current and current[a.pk].question_version < question.version]
    todo = [a for a in stale if needs_grade(current[a.pk], question.version)]
    scoring = score_answers(todo, questions)
    if scoring.failed:  # the instructor must see that the new key cannot be graded, not "no change"
        raise next(iter(scoring.failed.values()))
    new_scores = {a.pk: g.score for a, g in scoring.graded}
    return [
        RegradeRow(
            answer_id=a.pk,
            student=a.attempt.student.shown_name,
            old_score=current[a.pk].score,
            new_score=new_scores.get(a.pk, current[a.pk].score),
            overridden=current[a.pk].status == Grade.Status.OVERRIDDEN,
        )
        for a in stale
    ]


def regrade_start(question_id: int, *, assignment_id: int | None = None, actor: User | None = None) -> GradingJob:
    """Start a regrade job for the question (optionally one assignment's answers only)."""
    _allowed(actor, assignment_id, policy.assignment_regrade)
    with transaction.atomic():
        job = GradingJob.objects.create(
            kind=GradingJob.Kind.REGRADE, question_id=question_id, assignment_id=assignment_id
        )
        transaction.on_commit(lambda: queueing.enqueue_job(job.pk))
    log_event("job.created", job, question=question_id)
    return job


__all__ = ["RegradeRow", "regrade_preview", "regrade_start"]
