"""The student's path through an attempt: the start page, answering, autosave, submitting.

Every page works without JavaScript (plain form POSTs); the script adds autosave, the timer and
the list editor. The server's clock decides: past deadline + grace nothing is accepted, and an
attempt found overdue is submitted with the answers saved in time.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import SignedInRequest
from common.errors import ClassroomError, NotEnrolled
from common.json_input import json_problem
from grading.selectors import attempt_rows

from .. import selectors, services
from ..errors import AttemptClosed, DeadlinePassed
from ..models import Attempt, ReleasePolicy
from ..templatetags.portal import format_moment
from .answers import posted_responses, question_items, save_responses


def _overdue(attempt: Attempt) -> bool:
    return attempt.status == Attempt.Status.IN_PROGRESS and timezone.now() > services.accepts_answers_until(attempt)


def _submit_overdue(request: SignedInRequest, attempt: Attempt) -> HttpResponse:
    services.attempt_submit(attempt=attempt, actor=request.user)
    messages.warning(
        request,
        _(
            "The deadline of this attempt has passed, so nothing more can be saved. "
            "It was submitted with the answers saved before the deadline."
        ),
    )
    return redirect("portal:receipt", attempt_id=attempt.pk)


def _timer_context(attempt: Attempt) -> dict[str, Any]:
    return {"attempt": attempt, "now": timezone.now(), "accepts_until": services.accepts_answers_until(attempt)}


def release_rule(assignment: Any) -> str:
    """When results are released, in words, for the start page and the receipt."""
    if assignment.release_policy == ReleasePolicy.AFTER_GRADING:
        return _(
            "As soon as your attempt is graded: answers graded automatically within moments of submitting; "
            "answers that need a person show as waiting until then."
        )
    if assignment.release_policy == ReleasePolicy.AFTER_CLOSE:
        return _("After the window closes and every answer is graded.")
    return _("When your instructor releases them.")


@login_required
@require_http_methods(["GET", "POST"])
def assignment_start(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    """GET: the rules of the assignment. POST: start (or continue) the attempt; twice gives one."""
    assignment = selectors.student_assignment(assignment_id, request.user)
    if request.method == "POST":
        try:
            with timezone.override(assignment.section.time_zone):  # times in messages: the class's zone
                attempt = services.attempt_start(assignment=assignment, student=request.user)
        except ClassroomError as exc:
            messages.error(request, exc.message)
            return redirect("portal:assignment_start", assignment_id=assignment.pk)
        return redirect("portal:attempt", attempt_id=attempt.pk)
    now = timezone.now()
    attempts = selectors.student_attempts_at(assignment, request.user)
    state = selectors.start_state(assignment, attempts, now)
    context = {
        "assignment": assignment,
        "now": now,
        "attempts": attempts,
        "in_progress": state.in_progress,
        "attempts_left": state.attempts_left,
        "question_count": selectors.assignment_question_count(assignment),
        "is_open": state.is_open,
        "upcoming": now < assignment.opens_at,
        "can_start": state.may_enter,
        "release_rule": release_rule(assignment),
    }
    return render(request, "portal/start.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attempt_detail(request: SignedInRequest, attempt_id: int) -> HttpResponse:
    """The attempt page. POST with `action` = save | review | submit (the timer posts submit at zero)."""
    attempt = selectors.student_attempt(attempt_id, request.user)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("portal:receipt", attempt_id=attempt.pk)
    if _overdue(attempt):
        return _submit_overdue(request, attempt)
    rows = attempt_rows(attempt)
    if request.method == "POST":
        responses = posted_responses(request.POST, rows)
        try:
            with timezone.override(attempt.assignment.section.time_zone):
                questions = {row.item.question_id: row.item.question for row in rows}
                errors = save_responses(attempt, questions, responses, actor=request.user)
        except DeadlinePassed as exc:
            messages.error(request, exc.message)
            services.attempt_submit(attempt=attempt, actor=request.user)
            return redirect("portal:receipt", attempt_id=attempt.pk)
        except AttemptClosed as exc:
            messages.info(request, exc.message)
            return redirect("portal:receipt", attempt_id=attempt.pk)
        except NotEnrolled as exc:
            messages.error(request, exc.message)
            return redirect("portal:dashboard")
        if errors:
            messages.error(request, _("Some answers were not saved; see the message next to each of them."))
            context = {**_timer_context(attempt), "items": question_items(rows, responses, errors)}
            return render(request, "portal/attempt.html", context, status=400)
        action = request.POST.get("action")
        if action == "submit":
            services.attempt_submit(attempt=attempt, actor=request.user)
            return redirect("portal:receipt", attempt_id=attempt.pk)
        if action == "review":
            return redirect("portal:submit", attempt_id=attempt.pk)
        zone = request.user.time_zone or attempt.assignment.section.time_zone
        saved_at = format_moment(timezone.now(), zone, pgettext("time format", "H:i:s"))
        messages.success(request, _("Saved at %(time)s (%(zone)s).") % {"time": saved_at, "zone": zone})
        return redirect("portal:attempt", attempt_id=attempt.pk)
    return render(request, "portal/attempt.html", {**_timer_context(attempt), "items": question_items(rows)})


def _json_error(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "code": code, "message": message, **extra}, status=status)


@require_POST
def attempt_autosave(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """Autosave: POST {"answers": {"<question id>": response}} as JSON, with the CSRF token in X-CSRFToken.

    200 {"ok": true, "saved_at", "saved", "deadline", "server_now"}; 400 with a `message` (and
    `errors` by question id) when an answer is refused; 401 when signed out; 409 with `redirect`
    once the attempt is closed or past its deadline (it is then submitted with the answers saved in time).
    """
    if not request.user.is_authenticated:  # a JSON answer, not a redirect to the sign-in page
        return _json_error(401, "signed_out", _("You are signed out: sign in again in another tab, then keep going."))
    attempt = selectors.student_attempt(attempt_id, request.user)
    receipt = reverse("portal:receipt", args=[attempt.pk])
    try:
        payload = json.loads(request.body or b"{}")
        answers = payload["answers"]
        if not isinstance(answers, dict) or json_problem(answers):
            raise TypeError  # deeper than any answer, or text PostgreSQL cannot store
        responses = {int(key): value for key, value in answers.items()}
    except (ValueError, KeyError, TypeError, RecursionError):
        return _json_error(400, "bad_request", _("The answers could not be read; reload the page."))
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return _json_error(409, AttemptClosed.code, _("This attempt has been submitted."), redirect=receipt)
    # the questions only: an autosave needs neither the stored answers nor their grades
    questions = selectors.attempt_questions(attempt)
    try:
        with timezone.override(attempt.assignment.section.time_zone):
            errors = save_responses(attempt, questions, responses, actor=request.user)
    except DeadlinePassed as exc:
        services.attempt_submit(attempt=attempt, actor=request.user)
        messages.error(request, exc.message)  # shown on the receipt the page goes to
        return _json_error(409, exc.code, exc.message, redirect=receipt)
    except AttemptClosed as exc:
        return _json_error(409, exc.code, exc.message, redirect=receipt)
    except NotEnrolled as exc:
        return _json_error(403, exc.code, exc.message)
    except ClassroomError as exc:
        return _json_error(400, exc.code, exc.message)
    now = timezone.now()
    body = {
        "saved": sorted(str(qid) for qid in responses if qid not in errors),
        "saved_at": now.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "server_now": now.isoformat(),
    }
    if errors:
        first = next(iter(errors.values()))
        detail = {str(qid): e.message for qid, e in errors.items()}
        return _json_error(400, first.code, first.message, errors=detail, **body)
    return JsonResponse({"ok": True, **body})


@login_required
@require_http_methods(["GET", "POST"])
def attempt_submit(request: SignedInRequest, attempt_id: int) -> HttpResponse:
    """GET: confirm, listing unanswered questions. POST: submit (idempotent)."""
    attempt = selectors.student_attempt(attempt_id, request.user)
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return redirect("portal:receipt", attempt_id=attempt.pk)
    if request.method == "POST":
        attempt = services.attempt_submit(attempt=attempt, actor=request.user)
        if attempt.status == Attempt.Status.AUTO_SUBMITTED:
            messages.warning(
                request, _("The deadline had passed: the attempt was submitted with the answers saved before it.")
            )
        return redirect("portal:receipt", attempt_id=attempt.pk)
    if _overdue(attempt):
        return _submit_overdue(request, attempt)
    items = question_items(attempt_rows(attempt))
    unanswered = [i for i in items if not i.answered]
    context = {
        **_timer_context(attempt),
        "items": items,
        "unanswered": unanswered,
        "answered_count": len(items) - len(unanswered),
    }
    return render(request, "portal/submit.html", context)
