"""The live monitor of an assignment: where every student of the section stands, and the progress
of its batch grading jobs (the page and the JSON it polls).

A constant number of queries whatever the class size: the roster, the attempts (with their count
of answers waiting for review, from `grading.selectors.with_needs_review`), the extensions, and
the latest grading jobs (`grading.selectors.batch_jobs_progress`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import SignedInRequest
from classes import policy
from classes.models import Enrollment
from grading.selectors import JobProgress, PassbackSummary, batch_jobs_progress, passback_summary, with_needs_review

from ..gates import assignment_for
from ..models import Assignment, Attempt, Extension

NOT_STARTED = "not_started"


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
    jobs: list[JobProgress] = field(default_factory=list)
    passback: PassbackSummary = field(default_factory=PassbackSummary)  # scores sent to an LMS gradebook


def assignment_monitor(assignment: Assignment, *, now: datetime | None = None) -> Monitor:
    students = (
        Enrollment.objects.filter(section_id=assignment.section_id, role=Enrollment.Role.STUDENT)
        .select_related("user")
        .order_by("user__username")
    )
    attempts = with_needs_review(Attempt.objects.filter(assignment=assignment)).order_by("student_id", "number")
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
            row.needs_review = attempt.needs_review  # type: ignore[attr-defined]
        rows.append(row)
    counts = {
        "students": len(rows),
        "not_started": sum(r.status == NOT_STARTED for r in rows),
        "in_progress": sum(r.status == Attempt.Status.IN_PROGRESS for r in rows),
        "submitted": sum(r.status in Attempt.CLOSED_STATUSES for r in rows),
        "graded": sum(r.status == Attempt.Status.GRADED for r in rows),
        "needs_review": sum(r.needs_review > 0 for r in rows),
    }
    return Monitor(assignment, rows, counts, batch_jobs_progress(assignment), passback_summary(assignment))


@login_required
@require_GET
def assignment_monitor_page(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    monitor = assignment_monitor(assignment)
    return render(
        request,
        "teach/monitor.html",
        {
            "assignment": assignment,
            "section": assignment.section,
            "monitor": monitor,
            "is_instructor": policy.allows(policy.assignment_release, request.user, assignment),
            "now": timezone.now(),
        },
    )


@login_required
@require_GET
def assignment_monitor_json(request: SignedInRequest, assignment_id: int) -> JsonResponse:
    """What the monitor page polls every few seconds."""
    assignment = assignment_for(request, assignment_id)
    monitor = assignment_monitor(assignment)

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return JsonResponse(
        {
            "counts": monitor.counts,
            "rows": [
                {
                    "student_id": r.student_id,
                    "status": r.status,
                    "status_label": r.status_label,
                    "last_saved_at": iso(r.last_saved_at),
                    "submitted_at": iso(r.submitted_at),
                    "needs_review": r.needs_review,
                }
                for r in monitor.rows
            ],
            "jobs": [
                {
                    "id": j.job_id,
                    "kind": j.kind,
                    "kind_label": j.kind_label,
                    "status": j.status,
                    "status_label": j.status_label,
                    "percent": j.percent,
                    "done": j.done,
                    "total": j.total,
                    "failed": j.failed,
                    "error": j.error,
                }
                for j in monitor.jobs
            ],
            "now": timezone.now().isoformat(),
        }
    )
