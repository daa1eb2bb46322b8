"""Instructor workspace, sections and enrolment: my sections, a new section, a section's roster,
enrolment by CSV upload and assistants. Permissions: `classes.policy`, asked by the gates of
`classes.teach` and again by the services (404 for outsiders, 403 for what the role may not do)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import SignedInRequest
from bank.models import Course
from common.errors import ClassroomError

from . import policy, selectors, services
from .models import Enrollment
from .teach import section_for

CSV_MAX_BYTES = 2 * 1024 * 1024  # a class of thousands is ~100 KB


class SectionForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.none(), label=gettext_lazy("Course"))
    name = forms.CharField(max_length=200, label=pgettext_lazy("section", "Name"))
    term = forms.CharField(max_length=100, required=False, label=gettext_lazy("Term"))
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), initial="Asia/Shanghai")

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(pk__in=[c.pk for c in courses])
        self.fields["time_zone"].choices = [(z, z) for z in sorted(zoneinfo.available_timezones())]


class EnrolmentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("Columns username, name, email; UTF-8 (with or without BOM)."),
    )


class AssistantForm(forms.Form):
    username = forms.CharField(max_length=150, label=gettext_lazy("Username"))


@login_required
@require_GET
def section_list(request: SignedInRequest) -> HttpResponse:
    sections = list(selectors.sections_taught(request.user))
    roles = dict(Enrollment.objects.filter(user=request.user, section__in=sections).values_list("section_id", "role"))
    labels = dict(Enrollment.Role.choices)
    for section in sections:
        role = roles.get(section.pk)
        section.my_role_label = labels[role] if role else _("Administrator")  # a superuser not enrolled
    return render(
        request,
        "teach/sections.html",
        {"sections": sections, "can_create": policy.allows(policy.section_create_somewhere, request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_create(request: SignedInRequest) -> HttpResponse:
    policy.section_create_somewhere(request.user)
    courses = list(policy.courses_for_new_sections(request.user).order_by("title"))
    form = SectionForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except ClassroomError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Section %(name)s created.") % {"name": section})
            return redirect("teach:section", section_id=section.pk)
    return render(request, "teach/section_form.html", {"form": form})


@login_required
@require_GET
def section_detail(request: SignedInRequest, section_id: int) -> HttpResponse:
    section = section_for(request, section_id)
    assignments = (
        section.assignments.select_related("quiz")  # quizzes' relation: classes imports no app above it
        .annotate(attempt_count=Count("attempts"))
        .order_by("-opens_at")
    )
    return render(
        request,
        "teach/section.html",
        {
            "section": section,
            "roster": selectors.roster(section),
            "assignments": assignments,
            "is_instructor": policy.allows(policy.section_manage, request.user, section),
            "upload_form": EnrolmentUploadForm(),
            "assistant_form": AssistantForm(),
        },
    )


def _import_summary(report: services.ImportReport) -> str:
    """One sentence per count, each with its plural: the same messages as the page's notice."""
    created, enrolled, already = len(report.created), len(report.enrolled), len(report.already)
    return " ".join(
        (
            ngettext("%(n)s account created.", "%(n)s accounts created.", created) % {"n": created},
            ngettext("%(n)s existing account enrolled.", "%(n)s existing accounts enrolled.", enrolled)
            % {"n": enrolled},
            ngettext("%(n)s account was already enrolled.", "%(n)s accounts were already enrolled.", already)
            % {"n": already},
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_enrol(request: SignedInRequest, section_id: int) -> HttpResponse:
    section = section_for(request, section_id, policy.section_manage)
    form = EnrolmentUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            form.add_error("file", _("The file is too large (at most 2 MB)."))
        else:
            report = services.enrollment_import_csv(section=section, file=upload.read(), actor=request.user)
            if report.ok:
                messages.success(request, _import_summary(report))
    return render(request, "teach/enrol.html", {"section": section, "form": form, "report": report})


@login_required
@require_POST
def section_assistant_add(request: SignedInRequest, section_id: int) -> HttpResponse:
    section = section_for(request, section_id, policy.section_manage)
    form = AssistantForm(request.POST)
    if form.is_valid():
        try:
            enrollment = services.assistant_add(
                section=section, username=form.cleaned_data["username"], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ClassroomError as exc:  # a student of this course cannot also be its staff
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(who)s is now an assistant.") % {"who": enrollment.user.shown_name})
    return redirect("teach:section", section_id=section.pk)
