"""Instructor workspace, grading: the review queue (grouped by meaning), overrides with the audit
trail, regrades after a key change, item analytics and the exports. Permissions: `classes.policy`,
asked by the gates of `classes.teach` and again by `grading.services`, which does every write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import SignedInRequest
from bank.models import Question
from classes import policy
from common.errors import ClassroomError
from quizzes.gates import answer_for, assignment_for
from quizzes.models import AttemptQuestion

from . import analytics, exports, review, selectors, services
from .analytics_rows import analytics_rows
from .models import Grade


class OverrideForm(forms.Form):
    score = forms.DecimalField(min_value=0, max_digits=7, decimal_places=2, label=gettext_lazy("Score"))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Reason (students see it)")
    )


def _question_in(assignment, question_id: int) -> Question:
    if not AttemptQuestion.objects.filter(attempt__assignment=assignment, question_id=question_id).exists():
        raise Http404("The question is not part of this assignment.")
    return Question.objects.select_related("chapter").get(pk=question_id)


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Review queue -----------------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    return render(
        request,
        "teach/review_queue.html",
        {"assignment": assignment, "questions": review.review_questions(assignment), "tab": "review"},
    )


@login_required
@require_GET
def review_question(request: SignedInRequest, assignment_id: int, question_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    question = _question_in(assignment, question_id)
    groups = review.review_groups(assignment, question)
    return render(
        request,
        "teach/review_groups.html",
        {
            "assignment": assignment,
            "question": question,
            "label": question.column_label,
            "groups": groups,
            "threshold": review.SAME_MEANING,
            "tab": "review",
        },
    )


@login_required
@require_POST
def review_grade_group(request: SignedInRequest, assignment_id: int, question_id: int) -> HttpResponse:
    """One decision for the selected answers of a group (unticked answers stay in the queue: a split)."""
    assignment = assignment_for(request, assignment_id)
    question = _question_in(assignment, question_id)
    ids = [int(v) for v in request.POST.getlist("answer") if v.isdigit()]
    allowed = set(review.pending_review(assignment, question).filter(pk__in=ids).values_list("pk", flat=True))
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a score and a reason."))
    elif not allowed:
        messages.error(request, _("Select at least one answer still waiting for review."))
    else:
        try:
            services.grade_override(
                answer_ids=sorted(allowed),
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ClassroomError as exc:  # a refused override: no reason, score too high, still in progress
            messages.error(request, exc.message)
        else:
            messages.success(
                request, ngettext("%(n)s answer graded.", "%(n)s answers graded.", len(allowed)) % {"n": len(allowed)}
            )
    return redirect("teach:review_question", assignment_id=assignment.pk, question_id=question.pk)


@login_required
@require_http_methods(["GET", "POST"])
def answer_detail(request: SignedInRequest, answer_id: int) -> HttpResponse:
    """One answer: the response, its current grade with the key points, the audit trail, an override."""
    answer = answer_for(
        request, answer_id, policy.answer_grade if request.method == "POST" else policy.answer_staff_view
    )
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_override(
                answer_ids=[answer.pk],
                score=form.cleaned_data["score"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ClassroomError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Grade changed."))
            return redirect("teach:answer", answer_id=answer.pk)
    grade = Grade.objects.filter(answer=answer, is_current=True).select_related("overridden_by").first()
    return render(
        request,
        "teach/answer.html",
        {
            "answer": answer,
            "assignment": answer.attempt.assignment,
            "response": review.response_text(answer.response),
            "label": answer.question.column_label,
            "grade": grade,
            "trail": selectors.grade_history(answer.pk),
            "form": form,
        },
    )


# Regrade ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def regrade(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    """Pick a question; see old -> new per student (a dry run); instructors apply it."""
    rule = policy.assignment_regrade if request.method == "POST" else policy.assignment_staff_view
    assignment = assignment_for(request, assignment_id, rule)
    is_instructor = policy.allows(policy.assignment_regrade, request.user, assignment)
    questions = list(
        Question.objects.filter(
            pk__in=AttemptQuestion.objects.filter(attempt__assignment=assignment).values("question_id")
        )
        .select_related("chapter")
        .order_by("chapter__number", "position", "number")
    )
    chosen = request.POST.get("question") or request.GET.get("question") or ""
    question = next((q for q in questions if str(q.pk) == chosen), None)
    if request.method == "POST":
        if question is None:
            raise Http404("No such question in this assignment.")
        job = services.regrade_start(question.pk, assignment_id=assignment.pk, actor=request.user)
        messages.success(request, _("Regrade started (job #%(id)s); progress is on the monitor.") % {"id": job.pk})
        return redirect("teach:monitor", assignment_id=assignment.pk)
    rows = services.regrade_preview(question.pk, assignment_id=assignment.pk, actor=request.user) if question else None
    return render(
        request,
        "teach/regrade.html",
        {
            "assignment": assignment,
            "questions": [(q, q.column_label) for q in questions],
            "question": question,
            "rows": rows,
            "changes": sum(r.changes for r in rows or []),
            "kept": sum(r.overridden for r in rows or []),
            "is_instructor": is_instructor,
            "tab": "regrade",
        },
    )


# Analytics and exports --------------------------------------------------------------------------


def _analytics(assignment):
    rows, labels = analytics_rows(assignment)
    stats = analytics.question_stats(rows, labels)
    return rows, labels, stats


def _fmt(value, digits: int = 2) -> Decimal | str:
    """A figure rounded for the tables, kept a number (the CSV writer quotes text, not numbers)."""
    return "" if value is None else Decimal(value).quantize(Decimal(1).scaleb(-digits))


@login_required
@require_GET
def analytics_page(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    rows, labels, stats = _analytics(assignment)
    counts = analytics.histogram(rows)
    return render(
        request,
        "teach/analytics.html",
        {
            "assignment": assignment,
            "rows": rows,
            "stats": stats,
            "key_points": analytics.key_point_stats(rows, labels),
            "times": analytics.time_summary(rows),
            "histogram_svg": mark_safe(analytics.histogram_svg(counts)) if rows else "",  # noqa: S308 (matplotlib output)
            "facility_svg": mark_safe(analytics.facility_svg(stats)) if stats else "",  # noqa: S308
            "share": analytics.UPPER_LOWER_SHARE,
            "tab": "analytics",
        },
    )


def analytics_table(assignment, table: str) -> tuple[list[str], list[list[object]]]:
    rows, labels, stats = _analytics(assignment)
    if table == "questions":
        header = [
            "question",
            "answers",
            "pending",
            "mean_score",
            "max_points",
            "facility",
            "discrimination",
            "median_minutes",
        ]
        body = [
            [
                s.label,
                s.answers,
                s.pending,
                _fmt(s.mean_score),
                _fmt(s.max_points),
                _fmt(s.facility, 3),
                _fmt(s.discrimination, 3),
                _fmt(s.median_minutes, 1),
            ]
            for s in stats
        ]
    elif table == "key_points":
        header = ["question", "key_point", "graded", "missed", "missed_share"]
        body = [
            [k.label, k.text, k.graded, k.missed, _fmt(k.missed_share, 3)]
            for k in analytics.key_point_stats(rows, labels)
        ]
    elif table == "attempts":
        header = ["username", "name", "attempt", "total", "max", "fraction", "minutes"]
        body = [
            [r.username, r.name, r.attempt_id, r.total, r.max_total, _fmt(r.fraction, 3), _fmt(r.minutes, 1)]
            for r in rows
        ]
    elif table == "histogram":
        counts = analytics.histogram(rows)
        bins = len(counts)
        header = ["band", "students"]
        body = [[f"{100 * i // bins}-{100 * (i + 1) // bins}%", n] for i, n in enumerate(counts)]
    else:
        raise Http404("No such table.")
    return header, body


@login_required
@require_GET
def analytics_csv(request: SignedInRequest, assignment_id: int, table: str) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    header, body = analytics_table(assignment, table)
    return _csv_response(
        exports.csv_text(header, body),  # UTF-8 with BOM, formulas neutralised, as the exports
        f"{slugify(assignment.display_title) or 'assignment'}-{table}.csv",
    )


@login_required
@require_GET
def export_gradebook(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    name = slugify(assignment.display_title) or f"assignment-{assignment.pk}"
    return _csv_response(exports.gradebook_csv(assignment), f"{name}-gradebook.csv")


@login_required
@require_GET
def export_answers(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    name = slugify(assignment.display_title) or f"assignment-{assignment.pk}"
    return _csv_response(exports.answers_csv(assignment), f"{name}-answers.csv")


# Similarity report ------------------------------------------------------------------------------


@login_required
@require_GET
def similarity_report(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    """Pairs and clusters of students whose free-text answers are near-identical beyond the
    reference, with the evidence side by side (staff only; computed by a worker)."""
    assignment = assignment_for(request, assignment_id)
    view = selectors.similarity_report_view(assignment=assignment, actor=request.user)
    return render(
        request,
        "teach/similarity.html",
        {"assignment": assignment, "view": view, "thresholds": services.similarity.THRESHOLDS, "tab": "similarity"},
    )


@login_required
@require_POST
def similarity_compute(request: SignedInRequest, assignment_id: int) -> HttpResponse:
    assignment = assignment_for(request, assignment_id)
    services.similarity_report_request(assignment=assignment, actor=request.user)
    messages.success(request, _("The similarity report is being computed; this page shows it when it is ready."))
    return redirect("teach:similarity", assignment_id=assignment.pk)
