"""Reads of grading state shared by the portal, the API, the admin and the workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quizzes.models import Answer, Attempt

from .models import Grade, GradingJob

# An attempt submitted longer ago than this with an answer that has no grade at all was probably
# lost (broker down at submit time, a message dropped): the sweeper enqueues it again.
SWEEP_AFTER = timedelta(minutes=3)

SUBMITTED_STATUSES = (Attempt.Status.SUBMITTED, Attempt.Status.AUTO_SUBMITTED, Attempt.Status.GRADED)


def _final_for_version() -> QuerySet[Grade]:
    """Current grades that stand for the answer's question as it is now (overrides always stand)."""
    return Grade.objects.filter(answer=OuterRef("pk"), is_current=True).filter(
        Q(status=Grade.Status.OVERRIDDEN) | Q(question_version__gte=OuterRef("question__version"))
    )


def graded_for_current_version(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.filter(Exists(_final_for_version()))


def not_graded_for_current_version(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    return answers.exclude(Exists(_final_for_version()))


def job_answers(job: GradingJob) -> QuerySet[Answer]:
    """The answers a job is responsible for."""
    submitted = Answer.objects.filter(attempt__status__in=SUBMITTED_STATUSES)
    if job.kind == GradingJob.Kind.ATTEMPT:
        return submitted.filter(attempt_id=job.attempt_id)
    if job.kind == GradingJob.Kind.ASSIGNMENT:
        return submitted.filter(attempt__assignment_id=job.assignment_id)
    scope = submitted.filter(question_id=job.question_id)
    return scope.filter(attempt__assignment_id=job.assignment_id) if job.assignment_id else scope


def attempts_awaiting_grading(*, now: datetime | None = None, older_than: timedelta = SWEEP_AFTER) -> list[int]:
    """Submitted attempts with an answer that has no grade at all, not covered by a running batch job."""
    cutoff = (now or timezone.now()) - older_than
    no_grade = Answer.objects.filter(attempt=OuterRef("pk")).exclude(
        Exists(Grade.objects.filter(answer=OuterRef("pk"), is_current=True))
    )
    batch_running = GradingJob.objects.filter(
        assignment=OuterRef("assignment"),
        kind=GradingJob.Kind.ASSIGNMENT,
        status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING],
    )
    return list(
        Attempt.objects.filter(status__in=SUBMITTED_STATUSES, submitted_at__lt=cutoff)
        .filter(Exists(no_grade))
        .exclude(Exists(batch_running))
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class JobProgress:
    job_id: int
    kind: str
    status: str
    total: int
    done: int
    failed: int
    percent: int
    started_at: datetime | None
    finished_at: datetime | None
    seconds: float | None
    error: str


def job_progress(job_id: int) -> JobProgress:
    """A job's progress as the portal, the admin and the API show it."""
    job = GradingJob.objects.get(pk=job_id)
    end = job.finished_at or timezone.now()
    return JobProgress(
        job_id=job.pk,
        kind=job.kind,
        status=job.status,
        total=job.total,
        done=job.done,
        failed=job.failed,
        percent=round(100 * job.progress),
        started_at=job.started_at,
        finished_at=job.finished_at,
        seconds=(end - job.started_at).total_seconds() if job.started_at else None,
        error=job.error,
    )
