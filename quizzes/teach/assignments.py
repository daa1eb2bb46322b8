"""Instructor workspace, assignments: assigning a quiz to a section, changing it, per-student
extensions and releasing results. Writes go through `quizzes.authoring`; permissions:
`classes.policy`, asked by the gates (`classes.teach`, `quizzes.gates`) and again by the services."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import SignedInRequest
from classes import policy
from classes.teach import section_for

from .. import authoring
from ..gates import assignment_for
from .forms import AssignmentForm, AssignmentSettingsForm, ExtensionForm


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request: SignedInRequest, section_id: int) -> HttpResponse:
    section = section_for(request, section_id, policy.assignment_create)
    tz = zoneinfo.ZoneInfo(section.time_zone)
    with timezone.override(tz):  # the form's times are the section's local times
        form = AssignmentForm(
            request.POST or None, course_id=section.course_id, initial={"quiz": request.GET.get("quiz")}
        )
        if request.method == "POST" and form.is_valid():
            try:
                assignment = authoring.assignment_create(
                    quiz=form.cleaned_data["quiz"], section=section, actor=request.user, **form.settings()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Assigned."))
                return redirect("teach:monitor", assignment_id=assignment.pk)
        return render(request, "teach/assignment_form.html", {"section": section, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    """Change an assignment's window and rules (instructors). Attempts in progress keep their deadline."""
    assignment = assignment_for(request, assignment_id, policy.assignment_change)
    with timezone.override(zoneinfo.ZoneInfo(assignment.section.time_zone)):
        form = AssignmentSettingsForm(request.POST or None, initial=AssignmentSettingsForm.initial_of(assignment))
        if request.method == "POST" and form.is_valid():
            try:
                authoring.assignment_update(assignment=assignment, actor=request.user, **form.settings())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Assignment saved."))
                return redirect("teach:monitor", assignment_id=assignment.pk)
        return render(
            request,
            "teach/assignment_edit.html",
            {"assignment": assignment, "section": assignment.section, "form": form},
        )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_extensions(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id, policy.assignment_extend)
    tz = zoneinfo.ZoneInfo(assignment.section.time_zone)
    with timezone.override(tz):
        form = ExtensionForm(request.POST or None, section_id=assignment.section_id)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                authoring.extension_grant(
                    assignment=assignment,
                    student=data["student"],
                    extra_time=timedelta(minutes=data["extra_minutes"]) if data["extra_minutes"] else None,
                    closes_at=data["closes_at"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Extension granted to %(who)s.") % {"who": data["student"].shown_name})
                return redirect("teach:extensions", assignment_id=assignment.pk)
        extensions = assignment.extensions.select_related("student", "granted_by").order_by("student__username")
        return render(
            request,
            "teach/extensions.html",
            {"assignment": assignment, "form": form, "extensions": extensions},
        )


@login_required
@require_POST
def assignment_extension_revoke(request: SignedInRequest, assignment_id: int, student_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id, policy.assignment_extend)
    authoring.extension_revoke(assignment=assignment, student_id=student_id, actor=request.user)
    messages.success(request, _("Extension removed."))
    return redirect("teach:extensions", assignment_id=assignment.pk)


@login_required
@require_POST
def assignment_release(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    """Release the results of a `manual` assignment (instructors only)."""
    assignment = assignment_for(request, assignment_id, policy.assignment_release)
    try:
        authoring.results_release(assignment=assignment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Results released: students can see their scores and feedback."))
    return redirect("teach:monitor", assignment_id=assignment.pk)
