"""The student's home: their classes, and their assignments open now, upcoming and closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import release, selectors
from ..models import Assignment, Attempt


@dataclass
class AttemptLink:
    attempt: Attempt
    released: bool


@dataclass
class AssignmentCard:
    assignment: Assignment
    attempts: list[AttemptLink] = field(default_factory=list)
    in_progress: Attempt | None = None
    attempts_left: int = 0
    can_start: bool = False


def _card(assignment: Assignment, now: datetime) -> AssignmentCard:
    card = AssignmentCard(assignment)
    for attempt in assignment.my_attempts:  # type: ignore[attr-defined]
        attempt.assignment = assignment  # already loaded: no query per attempt
        if attempt.status == Attempt.Status.IN_PROGRESS:
            card.in_progress = attempt
        else:
            card.attempts.append(AttemptLink(attempt, release.results_released(attempt, now)))
    card.attempts_left = max(0, assignment.max_attempts - len(assignment.my_attempts))  # type: ignore[attr-defined]
    card.can_start = selectors.open_for_student(assignment, now) and card.in_progress is None and card.attempts_left > 0
    return card


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    groups = selectors.student_assignments(request.user, now)
    context = {
        "now": now,
        "sections": list(selectors.student_sections(request.user)),
        "open_cards": [_card(a, now) for a in groups.open],
        "upcoming_cards": [_card(a, now) for a in groups.upcoming],
        "closed_cards": [_card(a, now) for a in reversed(groups.closed)],
    }
    return render(request, "portal/dashboard.html", context)
