"""Instructor workspace, quizzes: the quiz builder, assigning a quiz to a section, per-student
extensions and the live monitor. Writes go through `quizzes.authoring`; reads through
`quizzes.monitor`; permissions: `classes.policy`, asked by the gates of `classes.teach` and again
by the services."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from classes import policy
from classes.models import Enrollment
from classes.teach import assignment_for, section_for

from . import authoring
from .models import Assignment, Chapter, Question, Quiz, ReleasePolicy
from .monitor import assignment_monitor

DRAW_ROWS = 3  # "N at random from chapter X" rows on the builder form


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValidationError(_("%(v)s is not a number.") % {"v": value}) from exc
    if not number.is_finite() or number < 0:
        raise ValidationError(_("Points must be zero or more."))
    return number


@login_required
@require_http_methods(["GET", "POST"])
def quiz_new(request: HttpRequest, section_id: int) -> HttpResponse:
    """Pick questions from the course bank (filtered by chapter) and/or random draws of N from a chapter."""
    section = section_for(request, section_id, policy.section_quiz_create)
    chapters = list(Chapter.objects.filter(course_id=section.course_id).order_by("position", "number"))
    chapter_id = request.GET.get("chapter") or request.POST.get("chapter_filter") or ""
    questions = Question.objects.filter(chapter__course_id=section.course_id).select_related("chapter")
    if chapter_id.isdigit():
        questions = questions.filter(chapter_id=int(chapter_id))
    questions = list(questions.order_by("chapter__number", "position", "number"))
    errors: list[str] = []
    if request.method == "POST":
        title = request.POST.get("title", "").strip()
        items: list[authoring.ItemSpec] = []
        by_pk = {str(q.pk): q for q in questions}
        by_chapter = {str(c.pk): c for c in chapters}
        if not title:
            errors.append(_("Give the quiz a title."))
        try:
            for pk in request.POST.getlist("question"):
                if pk not in by_pk:
                    errors.append(_("Question %(pk)s is not in this course's bank.") % {"pk": pk})
                    continue
                items.append(authoring.ItemSpec(question=by_pk[pk], points=_decimal(request.POST.get(f"points_{pk}"))))
            for i in range(DRAW_ROWS):
                chapter = by_chapter.get(request.POST.get(f"draw_chapter_{i}", ""))
                count = request.POST.get(f"draw_count_{i}", "").strip()
                if chapter is None or not count:
                    continue
                if not count.isdigit() or int(count) < 1:
                    errors.append(_("Draw row %(n)s: the number of questions must be 1 or more.") % {"n": i + 1})
                    continue
                items.append(
                    authoring.ItemSpec(
                        chapter=chapter, draw=int(count), points=_decimal(request.POST.get(f"draw_points_{i}"))
                    )
                )
        except ValidationError as exc:
            errors.extend(exc.messages)
        if not items and not errors:
            errors.append(_("Pick at least one question or one random draw."))
        if not errors:
            quiz = authoring.quiz_create(course=section.course, title=title, items=items, actor=request.user)
            saved = ngettext(
                "Quiz %(title)s saved with %(n)s item.", "Quiz %(title)s saved with %(n)s items.", len(items)
            )
            messages.success(request, saved % {"title": quiz, "n": len(items)})
            return redirect(f"{reverse('teach:assignment_new', args=[section.pk])}?quiz={quiz.pk}")
    return render(
        request,
        "teach/quiz_builder.html",
        {
            "section": section,
            "chapters": chapters,
            "chapter_id": chapter_id,
            "questions": questions,
            "draw_rows": range(DRAW_ROWS),
            "errors": errors,
            "post": request.POST,
        },
    )


class AssignmentSettingsForm(forms.Form):
    """What an instructor sets when assigning a quiz and may change later (not the quiz)."""

    title = forms.CharField(max_length=300, required=False, label=gettext_lazy("Title (empty: the quiz's)"))
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    time_limit_minutes = forms.IntegerField(
        min_value=1, required=False, label=gettext_lazy("Time limit (minutes; empty: until the close)")
    )
    max_attempts = forms.IntegerField(min_value=1, max_value=20, initial=1, label=gettext_lazy("Attempts allowed"))
    grace_minutes = forms.IntegerField(min_value=0, max_value=120, initial=2, label=gettext_lazy("Grace (minutes)"))
    release_policy = forms.ChoiceField(choices=ReleasePolicy.choices, label=gettext_lazy("Results released"))

    def settings(self) -> dict[str, object]:
        """The cleaned form as Assignment fields."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "time_limit": timedelta(minutes=data["time_limit_minutes"]) if data["time_limit_minutes"] else None,
            "max_attempts": data["max_attempts"],
            "grace_period": timedelta(minutes=data["grace_minutes"]),
            "release_policy": data["release_policy"],
        }

    @staticmethod
    def initial_of(assignment: Assignment) -> dict[str, object]:
        return {
            "title": assignment.title,
            "opens_at": assignment.opens_at,
            "closes_at": assignment.closes_at,
            "time_limit_minutes": int(assignment.time_limit.total_seconds() // 60) if assignment.time_limit else None,
            "max_attempts": assignment.max_attempts,
            "grace_minutes": int(assignment.grace_period.total_seconds() // 60),
            "release_policy": assignment.release_policy,
        }


class AssignmentForm(AssignmentSettingsForm):
    quiz = forms.ModelChoiceField(queryset=Quiz.objects.none(), label=gettext_lazy("Quiz"))
    field_order = ["quiz"]

    def __init__(self, *args, course_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quiz"].queryset = Quiz.objects.filter(course_id=course_id).order_by("-created_at")


@login_required
@require_http_methods(["GET", "POST"])
def assignment_new(request: HttpRequest, section_id: int) -> HttpResponse:
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
def assignment_edit(request: HttpRequest, assignment_id: int) -> HttpResponse:
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


class ExtensionForm(forms.Form):
    student = forms.ModelChoiceField(queryset=User.objects.none(), label=gettext_lazy("Student"))
    extra_minutes = forms.IntegerField(min_value=1, required=False, label=gettext_lazy("Extra time (minutes)"))
    closes_at = forms.DateTimeField(
        required=False,
        label=gettext_lazy("Later close"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, section_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = User.objects.filter(
            enrollments__section_id=section_id, enrollments__role=Enrollment.Role.STUDENT
        ).order_by("username")


@login_required
@require_http_methods(["GET", "POST"])
def assignment_extensions(request: HttpRequest, assignment_id: int) -> HttpResponse:
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
@require_GET
def assignment_monitor_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
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
def assignment_monitor_json(request: HttpRequest, assignment_id: int) -> JsonResponse:
    """What the monitor page polls every few seconds."""
    assignment = assignment_for(request, assignment_id)
    monitor = assignment_monitor(assignment)

    def iso(value):
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


@login_required
@require_POST
def assignment_extension_revoke(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id, policy.assignment_extend)
    authoring.extension_revoke(assignment=assignment, student_id=student_id, actor=request.user)
    messages.success(request, _("Extension removed."))
    return redirect("teach:extensions", assignment_id=assignment.pk)


@login_required
@require_POST
def assignment_release(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Release the results of a `manual` assignment (instructors only)."""
    assignment = assignment_for(request, assignment_id, policy.assignment_release)
    try:
        authoring.results_release(assignment=assignment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Results released: students can see their scores and feedback."))
    return redirect("teach:monitor", assignment_id=assignment.pk)
