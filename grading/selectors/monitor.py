"""The grading side of an assignment's live monitor (`quizzes.teach.monitor` shows it): how many
answers of each attempt wait for a person, the progress of the latest batch jobs, and how its
scores fared on their way to an LMS gradebook."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from quizzes.models import Assignment, Attempt

from ..models import Grade, GradingJob, ScorePassback
from .jobs import JobProgress, progress_of

JOBS_SHOWN = 5  # latest grading jobs shown with progress bars
FAILURES_SHOWN = 20  # failed passbacks listed by name; the count says how many in all


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


@dataclass
class PassbackSummary:
    """Scores sent to an LMS gradebook: a count per status, and the failures with their error."""

    counts: dict[str, int] = field(default_factory=dict)
    failures: list[ScorePassback] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def passback_summary(assignment: Assignment) -> PassbackSummary:
    """Two queries, whatever the class size."""
    rows = ScorePassback.objects.filter(attempt__assignment=assignment).values("status").annotate(n=Count("pk"))
    counts = {status: 0 for status in ScorePassback.Status.values} | {r["status"]: r["n"] for r in rows}
    failures = list(
        ScorePassback.objects.filter(attempt__assignment=assignment, status=ScorePassback.Status.FAILED)
        .select_related("attempt__student")
        .order_by("attempt__student__username")[:FAILURES_SHOWN]
    )
    return PassbackSummary(counts, failures)
