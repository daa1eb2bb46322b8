"""Admin of quizzes, assignments and attempts (the question bank's admin is `bank.admin`)."""

from django.contrib import admin

from .models import Answer, Assignment, Attempt, AttemptQuestion, Extension, Quiz, QuizItem


class QuizItemInline(admin.TabularInline):
    model = QuizItem
    extra = 0
    autocomplete_fields = ("question",)


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ("title", "course")
    search_fields = ("title",)
    inlines = [QuizItemInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "section", "opens_at", "closes_at", "time_limit", "max_attempts", "release_policy")
    list_filter = ("section", "release_policy")
    list_select_related = ("quiz", "section")


class AttemptQuestionInline(admin.TabularInline):
    model = AttemptQuestion
    extra = 0
    readonly_fields = ("position", "question", "question_version", "points")
    can_delete = False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = ("question", "response", "saved_at")
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("pk", "student", "assignment", "number", "status", "started_at", "deadline", "submitted_at")
    list_filter = ("status", "assignment")
    list_select_related = ("student", "assignment__quiz")
    search_fields = ("student__username", "student__display_name")
    readonly_fields = ("started_at", "deadline", "submitted_at", "last_saved_at")
    inlines = [AttemptQuestionInline, AnswerInline]


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    """Per-student extensions (granted from the instructor workspace)."""

    list_display = ("assignment", "student", "extra_time", "closes_at", "granted_by", "created_at")
    list_select_related = ("assignment__quiz", "student", "granted_by")
    search_fields = ("student__username", "student__display_name")
    raw_id_fields = ("assignment", "student", "granted_by")
