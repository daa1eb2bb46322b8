"""The grading side of an assignment's live monitor (`quizzes.teach.monitor` shows it): how many
answers of each attempt wait for a person, and the progress of the latest batch jobs."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from quizzes.models import Assignment, Attempt

from ..models import Grade, GradingJob
from .jobs import JobProgress, progress_of

JOBS_SHOWN = 5  # latest grading jobs shown with progress bars


def with_needs_review(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """The attempts annotated with `needs_review`: how many of their answers have a current grade
    that waits for a person (in the same query as the attempts)."""
    return attempts.annotate(
        needs_review=Count(
            "answers__grades",
            filter=Q(answers__grades__is_current=True, answers__grades__status=Grade.Status.NEEDS_REVIEW),
        )
    )


def batch_jobs_progress(assignment: Assignment) -> list[JobProgress]:
    """The latest batch jobs of the assignment (not the per-attempt ones: one per submit), newest first."""
    jobs = (
        GradingJob.objects.filter(assignment=assignment)
        .exclude(kind=GradingJob.Kind.ATTEMPT)
        .order_by("-created_at")[:JOBS_SHOWN]
    )
    return [progress_of(job) for job in jobs]
