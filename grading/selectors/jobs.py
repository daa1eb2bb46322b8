"""Reads of grading jobs: what a job covers and still has to grade, what the sweeper looks for, progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from quizzes.models import Answer, Attempt

from ..models import Grade, GradingJob

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


def job_pending(job: GradingJob) -> QuerySet[Answer]:
    """The answers of a job still to (re-)grade. Recalibration re-scores every engine grade made
    before the job; the other kinds grade what has no grade for the current answer key."""
    scope = job_answers(job)
    pending = not_graded_for_current_version(scope)
    if job.kind == GradingJob.Kind.CALIBRATE:
        stale = Grade.objects.filter(answer=OuterRef("pk"), is_current=True, created_at__lt=job.created_at).exclude(
            status=Grade.Status.OVERRIDDEN
        )
        pending = pending | scope.filter(Exists(stale))
    return pending


def per_attempt_waiting() -> QuerySet[Answer]:
    """Answers the per-attempt path has still to grade: those of attempts submitted (not yet
    graded) whose own job is queued, running or not created yet (its message is on its way),
    without a grade for their question's current key. Attempts of a window that closed with a
    batch job are that job's, and an attempt whose own grading failed for good waits for a person."""
    own_job = GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt_id=OuterRef("attempt_id"))
    batch = GradingJob.objects.filter(kind=GradingJob.Kind.ASSIGNMENT, assignment_id=OuterRef("attempt__assignment_id"))
    finished = own_job.filter(status__in=[GradingJob.Status.DONE, GradingJob.Status.FAILED])
    submitted = Answer.objects.filter(attempt__status__in=[Attempt.Status.SUBMITTED, Attempt.Status.AUTO_SUBMITTED])
    return not_graded_for_current_version(submitted.exclude(Exists(batch)).exclude(Exists(finished)))


def attempts_awaiting_grading(*, now: datetime | None = None, older_than: timedelta = SWEEP_AFTER) -> list[int]:
    """Submitted attempts with an answer that has no grade at all, not covered by a running batch
    job, and whose own grading has not failed for good (that job says why; a person acts)."""
    cutoff = (now or timezone.now()) - older_than
    no_grade = Answer.objects.filter(attempt=OuterRef("pk")).exclude(
        Exists(Grade.objects.filter(answer=OuterRef("pk"), is_current=True))
    )
    batch_running = GradingJob.objects.filter(
        assignment=OuterRef("assignment"),
        kind=GradingJob.Kind.ASSIGNMENT,
        status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING],
    )
    gave_up = GradingJob.objects.filter(
        attempt=OuterRef("pk"), kind=GradingJob.Kind.ATTEMPT, status=GradingJob.Status.FAILED
    )
    return list(
        Attempt.objects.filter(status__in=SUBMITTED_STATUSES, submitted_at__lt=cutoff)
        .filter(Exists(no_grade))
        .exclude(Exists(batch_running))
        .exclude(Exists(gave_up))
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

    @property
    def kind_label(self) -> str:
        """The kind as people read it, in the active language (`kind` stays the raw value)."""
        return str(dict(GradingJob.Kind.choices).get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(dict(GradingJob.Status.choices).get(self.status, self.status))


def job_progress(job_id: int) -> JobProgress:
    """A job's progress as the portal, the admin and the API show it."""
    return progress_of(GradingJob.objects.get(pk=job_id))


def progress_of(job: GradingJob) -> JobProgress:
    """The progress of a job already loaded (lists: no query per row)."""
    end = job.finished_at or timezone.now()
    return JobProgress(
        job_id=job.pk,
        kind=job.kind,
        status=job.status,
        total=job.total,
        done=job.done,
        failed=job.failed,
        percent=round(100 * job.progress) if job.started_at else 0,  # not planned yet: total is still 0
        started_at=job.started_at,
        finished_at=job.finished_at,
        seconds=(end - job.started_at).total_seconds() if job.started_at else None,
        error=job.error,
    )
