from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Grade, GradingJob


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
