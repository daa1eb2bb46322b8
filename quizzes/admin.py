from django.contrib import admin

from .models import (
    AcceptedAnswer,
    Answer,
    Assignment,
    Attempt,
    AttemptQuestion,
    Chapter,
    Choice,
    Course,
    Part,
    Question,
    Quiz,
    QuizItem,
    RubricPoint,
)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug")
    search_fields = ("title",)


class PartInline(admin.TabularInline):
    model = Part
    extra = 0


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "course", "not_a_focus")
    list_filter = ("course", "not_a_focus")
    inlines = [PartInline]


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


class AcceptedAnswerInline(admin.TabularInline):
    model = AcceptedAnswer
    extra = 0


class RubricPointInline(admin.TabularInline):
    model = RubricPoint
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "chapter", "kind", "answer_source", "not_a_focus", "points", "version")
    list_filter = ("chapter__course", "chapter", "kind", "not_a_focus", "answer_source")
    search_fields = ("prompt", "reference_answer")
    list_select_related = ("chapter",)
    readonly_fields = ("version", "source_marks", "created_at", "updated_at")
    inlines = [RubricPointInline, ChoiceInline, AcceptedAnswerInline]


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
