"""Portal pages for students. Thin: read with selectors, write with services, render."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .errors import ClassroomError, DeadlinePassed
from .models import Attempt, Question, QuestionKind


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request, "portal/dashboard.html", {"groups": selectors.student_assignments(request.user, now), "now": now}
    )


@login_required
@require_POST
def assignment_start(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.student_assignment(assignment_id, request.user)
    try:
        attempt = services.attempt_start(assignment=assignment, student=request.user)
    except ClassroomError as exc:
        messages.error(request, exc.message)
        return redirect("portal:dashboard")
    return redirect("portal:attempt", attempt_id=attempt.pk)


def _posted_response(request: HttpRequest, question: Question) -> Any:
    name = f"q-{question.pk}"
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return request.POST.getlist(name)
    value = request.POST.get(name, "")
    if question.kind == QuestionKind.ENUMERATION:
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


@login_required
@require_http_methods(["GET", "POST"])
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.student_attempt(attempt_id, request.user)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("portal:receipt", attempt_id=attempt.pk)
    rows = selectors.attempt_rows(attempt)
    if request.method == "POST":
        responses = {row.item.question_id: _posted_response(request, row.item.question) for row in rows}
        try:
            services.answers_save(attempt=attempt, responses=responses)
        except DeadlinePassed as exc:
            messages.error(request, exc.message)
            services.attempt_submit(attempt=attempt)
            return redirect("portal:receipt", attempt_id=attempt.pk)
        except ClassroomError as exc:
            messages.error(request, exc.message)
            return render(request, "portal/attempt.html", {"attempt": attempt, "rows": rows}, status=400)
        if request.POST.get("action") == "submit":
            services.attempt_submit(attempt=attempt)
            return redirect("portal:receipt", attempt_id=attempt.pk)
        messages.success(request, _("Saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M:%S")})
        return redirect("portal:attempt", attempt_id=attempt.pk)
    return render(request, "portal/attempt.html", {"attempt": attempt, "rows": rows})


def answers_digest(rows: list[selectors.AttemptRow]) -> str:
    """A short fingerprint of the stored answers a student can keep as proof of what was submitted."""
    payload = [[r.item.question_id, r.answer.response if r.answer else None] for r in rows]
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()[:16]


@login_required
def attempt_receipt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.student_attempt(attempt_id, request.user)
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return redirect("portal:attempt", attempt_id=attempt.pk)
    rows = selectors.attempt_rows(attempt)
    answered = sum(1 for r in rows if r.answer and r.answer.response not in (None, "", []))
    context = {
        "attempt": attempt,
        "answered": answered,
        "digest": answers_digest(rows),
        "released": selectors.results_released(attempt, timezone.now()),
    }
    return render(request, "portal/receipt.html", context)


@login_required
def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = selectors.student_attempt(attempt_id, request.user)
    if not selectors.results_released(attempt, timezone.now()):
        messages.info(request, _("Results are not released yet."))
        return redirect("portal:receipt", attempt_id=attempt.pk)
    rows = selectors.attempt_rows(attempt)
    score, total = selectors.attempt_total(rows)
    return render(request, "portal/result.html", {"attempt": attempt, "rows": rows, "score": score, "total": total})
