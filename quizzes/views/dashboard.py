"""The student's home: their classes, and their assignments open now, upcoming and closed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.http import SignedInRequest
from grading import release
from grading.selectors import with_engine_done

from .. import selectors
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
    mine: list[Attempt] = assignment.my_attempts  # type: ignore[attr-defined]
    state = selectors.start_state(assignment, mine, now)
    card = AssignmentCard(assignment, in_progress=state.in_progress, attempts_left=state.attempts_left)
    for attempt in mine:
        attempt.assignment = assignment  # already loaded: no query per attempt
        if attempt.status != Attempt.Status.IN_PROGRESS:
            card.attempts.append(AttemptLink(attempt, release.results_released(attempt, now)))
    card.can_start = state.may_start
    return card


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    now = timezone.now()
    # the release rule reads whether grading is done: annotated with the list (grading.selectors)
    groups = selectors.student_assignments(request.user, now, attempts=with_engine_done(Attempt.objects.all()))
    context = {
        "now": now,
        "sections": list(selectors.student_sections(request.user)),
        "open_cards": [_card(a, now) for a in groups.open],
        "upcoming_cards": [_card(a, now) for a in groups.upcoming],
        "closed_cards": [_card(a, now) for a in reversed(groups.closed)],
    }
    return render(request, "portal/dashboard.html", context)
