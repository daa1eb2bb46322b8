from django.contrib import admin

from .models import Grade, GradingJob


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = ("answer", "status", "score", "max_points", "confidence", "is_current", "grader", "created_at")
    list_filter = ("status", "is_current", "grader")
    list_select_related = ("answer",)
    readonly_fields = ("created_at",)


@admin.register(GradingJob)
class GradingJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "kind", "status", "done", "failed", "total", "progress_percent", "created_at", "finished_at")
    list_filter = ("kind", "status")
    readonly_fields = ("created_at", "started_at", "finished_at")

    @admin.display(description="progress")
    def progress_percent(self, job: GradingJob) -> str:
        return f"{job.progress:.0%}"
