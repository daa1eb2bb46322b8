"""Reads for the live monitor of an assignment: where every student of the section stands.

A constant number of queries whatever the class size: the roster, the attempts (with their count
of answers waiting for review), the extensions, and the latest grading jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from classes.models import Enrollment

from .models import Assignment, Attempt, Extension

NOT_STARTED = "not_started"
JOBS_SHOWN = 5  # latest grading jobs shown with progress bars


@dataclass
class MonitorRow:
    student_id: int
    username: str
    name: str
    status: str  # NOT_STARTED or an Attempt.Status
    attempt_id: int | None = None
    attempts: int = 0
    started_at: datetime | None = None
    last_saved_at: datetime | None = None
    submitted_at: datetime | None = None
    deadline: datetime | None = None
    needs_review: int = 0
    extension: Extension | None = None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


STATUS_LABELS = {NOT_STARTED: _("Not started"), **dict(Attempt.Status.choices)}


@dataclass
class Monitor:
    assignment: Assignment
    rows: list[MonitorRow]
    counts: dict[str, int] = field(default_factory=dict)
    jobs: list = field(default_factory=list)  # grading.selectors.JobProgress


def assignment_monitor(assignment: Assignment, *, now: datetime | None = None) -> Monitor:
    from grading.models import Grade, GradingJob
    from grading.selectors import progress_of

    students = (
        Enrollment.objects.filter(section_id=assignment.section_id, role=Enrollment.Role.STUDENT)
        .select_related("user")
        .order_by("user__username")
    )
    attempts = (
        Attempt.objects.filter(assignment=assignment)
        .annotate(
            review=Count(
                "answers__grades",
                filter=Q(answers__grades__is_current=True, answers__grades__status=Grade.Status.NEEDS_REVIEW),
            )
        )
        .order_by("student_id", "number")
    )
    latest: dict[int, tuple[Attempt, int]] = {}
    for attempt in attempts:
        used = latest[attempt.student_id][1] + 1 if attempt.student_id in latest else 1
        latest[attempt.student_id] = (attempt, used)  # ordered by number: the last one wins
    extensions = {e.student_id: e for e in Extension.objects.filter(assignment=assignment)}
    rows = []
    for enrollment in students:
        user = enrollment.user
        row = MonitorRow(user.pk, user.username, user.shown_name, NOT_STARTED, extension=extensions.get(user.pk))
        if user.pk in latest:
            attempt, used = latest[user.pk]
            row.status = attempt.status
            row.attempt_id = attempt.pk
            row.attempts = used
            row.started_at = attempt.started_at
            row.last_saved_at = attempt.last_saved_at
            row.submitted_at = attempt.submitted_at
            row.deadline = attempt.deadline
            row.needs_review = attempt.review  # type: ignore[attr-defined]
        rows.append(row)
    counts = {
        "students": len(rows),
        "not_started": sum(r.status == NOT_STARTED for r in rows),
        "in_progress": sum(r.status == Attempt.Status.IN_PROGRESS for r in rows),
        "submitted": sum(r.status in Attempt.CLOSED_STATUSES for r in rows),
        "graded": sum(r.status == Attempt.Status.GRADED for r in rows),
        "needs_review": sum(r.needs_review > 0 for r in rows),
    }
    jobs = (
        GradingJob.objects.filter(assignment=assignment)
        .exclude(kind=GradingJob.Kind.ATTEMPT)  # batch jobs only: per-attempt jobs are one per submit
        .order_by("-created_at")[:JOBS_SHOWN]
    )
    return Monitor(assignment, rows, counts, [progress_of(job) for job in jobs])
