"""Courses, chapters and parts in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ..models import Chapter, Course, Part
from .inlines import PartInline


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "chapter_count")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Course]:
        return super().get_queryset(request).annotate(chapter_total=Count("chapters"))

    @admin.display(description=_("chapters"), ordering="chapter_total")
    def chapter_count(self, course: Course) -> int:
        return course.chapter_total  # type: ignore[attr-defined]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "course", "position", "not_a_focus", "question_count")
    list_display_links = ("number", "title")
    list_filter = ("course", "not_a_focus")
    list_select_related = ("course",)
    search_fields = ("title",)
    ordering = ("course", "position", "number")
    inlines = [PartInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Chapter]:
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    @admin.display(description=_("questions"), ordering="question_total")
    def question_count(self, chapter: Chapter) -> int:
        return chapter.question_total  # type: ignore[attr-defined]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("__str__", "chapter", "position")
    list_filter = ("chapter__course", "chapter")
    list_select_related = ("chapter",)
    search_fields = ("title", "chapter__title")
