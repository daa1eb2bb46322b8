"""Grades (read-only) and grading jobs in the admin, and the regrade page of a bank question."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bank.admin import QuestionAdmin
from bank.models import Question

from .models import Grade, GradingJob
from .services import regrade_preview, regrade_start


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    """Grades are read-only here. A grade changes only through `grading.services.grade_override`
    (the answer's page in the instructor workspace), which keeps who, when and why in the audit
    trail; an edit in the admin would overwrite a score with none of that."""

    list_display = ("answer", "status", "score", "max_points", "confidence", "is_current", "grader", "created_at")
    list_filter = ("status", "is_current", "grader")
    list_select_related = ("answer",)
    readonly_fields = ("override_page",)

    @admin.display(description=_("change this grade"))
    def override_page(self, grade: Grade) -> str:
        url = reverse("teach:answer", args=[grade.answer_id])
        return format_html('<a href="{}">{}</a>', url, _("Override it on the answer's page (with a reason)"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Grade | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Grade | None = None) -> bool:
        return False


@admin.register(GradingJob)
class GradingJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "done", "failed", "total", "progress_percent", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = ("created_at", "started_at", "finished_at")

    @admin.display(description="progress")
    def progress_percent(self, job: GradingJob) -> str:
        return f"{job.progress:.0%}"


class QuestionRegradeAdmin(QuestionAdmin):
    """The bank's question admin plus the regrade that a key change calls for: a dry run of old ->
    new per answer (`regrade_preview`), then a regrade job (`regrade_start`). Replaces the bank's
    registration, so the bank knows nothing of grades."""

    change_form_template = "admin/grading/question_change_form.html"

    def key_changed(self, request: HttpRequest, question: Question) -> None:
        url = reverse("admin:bank_question_regrade", args=[question.pk])
        self.message_user(
            request,
            format_html(
                'The answer key changed: {} is now version {}. <a href="{}">Preview and start a regrade</a> '
                "of the answers graded under the old key.",
                question,
                question.version,
                url,
            ),
            messages.WARNING,
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [path("<int:pk>/regrade/", view(self.regrade_view), name="bank_question_regrade"), *super().get_urls()]

    def regrade_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        question = get_object_or_404(Question.objects.select_related("chapter"), pk=pk)
        if not self.has_change_permission(request, question):
            raise PermissionDenied
        if request.method == "POST":
            job = regrade_start(question.pk, actor=request.user)
            job_url = reverse("admin:grading_gradingjob_change", args=[job.pk])
            self.message_user(
                request, format_html('Regrade job <a href="{}">#{}</a> started.', job_url, job.pk), messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:bank_question_change", args=[question.pk]))
        rows = regrade_preview(question.pk, actor=request.user)
        context = self.page_context(
            request,
            _("Regrade %(q)s") % {"q": question.code},
            original=question,
            question=question,
            rows=rows,
            changing=sum(1 for r in rows if r.changes),
            overridden=sum(1 for r in rows if r.overridden),
        )
        return TemplateResponse(request, "admin/grading/question_regrade.html", context)


admin.site.unregister(Question)
admin.site.register(Question, QuestionRegradeAdmin)
