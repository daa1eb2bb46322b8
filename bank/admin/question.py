"""Questions in the admin, with their answer keys.

Saving a question compares its answer key (`bank.services.question_key_snapshot`) before and after
the save, inlines included, and raises its version exactly once when the key changed
(`bank.services.question_edited`); `key_changed` then tells the person. A person editing rubric
points clears `rubric_is_proposed`. Extra views: a student-eye preview and an import page. The
regrade that a key change calls for is grading's: `grading.admin` extends this admin with it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..interchange.detect import FORMATS
from ..interchange.files import questions_import_file
from ..interchange.mapping import questions_for_export
from ..interchange.types import InterchangeError
from ..models import Chapter, Part, Question, QuestionKind, RubricPoint
from ..services import question_edited, question_key_snapshot
from .actions import export_action
from .forms import ImportForm
from .inlines import AcceptedAnswerInline, ChoiceInline, RubricPointInline


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("label", "chapter", "part", "kind", "answer_source", "not_a_focus", "points", "version")
    list_display_links = ("label",)
    list_filter = ("chapter__course", "chapter", "kind", "not_a_focus", "answer_source", "rubric_is_proposed")
    search_fields = ("prompt", "reference_answer", "ref", "chapter__title")
    list_select_related = ("chapter", "part")
    list_per_page = 50
    ordering = ("chapter__position", "chapter__number", "position")
    readonly_fields = ("version", "rubric_is_proposed", "source_marks", "created_at", "updated_at", "preview_link")
    fieldsets = (
        (None, {"fields": ("chapter", "part", "ref", "number", "position", "preview_link")}),
        (_("Question"), {"fields": ("kind", "prompt", "points", "language", "not_a_focus")}),
        (
            _("Answer key (a change raises the version)"),
            {
                "fields": (
                    "reference_answer",
                    ("numeric_value", "numeric_abs_tolerance", "numeric_rel_tolerance"),
                    "min_items",
                )
            },
        ),
        (
            _("Provenance"),
            {
                "classes": ("collapse",),
                "fields": (
                    "answer_source",
                    "source_marks",
                    "errata",
                    "version",
                    "rubric_is_proposed",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    inlines = [ChoiceInline, AcceptedAnswerInline, RubricPointInline]
    actions = [
        export_action("moodle-xml", _("Export selected questions as Moodle XML")),
        export_action("gift", _("Export selected questions as GIFT")),
        export_action("bank", _("Export selected questions as bank text")),
    ]

    @admin.display(description=_("question"), ordering="position")
    def label(self, question: Question) -> str:
        return question.label(prompt_chars=70)

    @admin.display(description=_("preview"))
    def preview_link(self, question: Question) -> str:
        if not question.pk:
            return "-"
        url = reverse("admin:bank_question_preview", args=[question.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview as students see it"))

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in ("prompt", "reference_answer"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 6, "cols": 100, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "chapter":
            kwargs["queryset"] = Chapter.objects.select_related("course")
        elif db_field.name == "part":
            chapter_id = getattr(request, "_question_chapter_id", None)
            parts = Part.objects.select_related("chapter")
            kwargs["queryset"] = parts.filter(chapter_id=chapter_id) if chapter_id else parts
            field = super().formfield_for_foreignkey(db_field, request, **kwargs)
            field.label_from_instance = lambda part: f"{part.chapter} · {part}"  # type: ignore[union-attr,method-assign]
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Question | None = None, change: bool = False, **kwargs: Any) -> Any:
        request._question_chapter_id = obj.chapter_id if obj else None  # type: ignore[attr-defined]
        return super().get_form(request, obj, change=change, **kwargs)

    # --- the answer key and its version ---------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Question, form: forms.ModelForm, change: bool) -> None:
        if change:
            stored = questions_for_export().get(pk=obj.pk)
            form._key_before = question_key_snapshot(stored)  # type: ignore[attr-defined]
            form._reference_before = stored.reference_answer  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question: Question = form.instance
        key_changed = question_edited(
            question=question,
            key_before=getattr(form, "_key_before", None),
            reference_before=getattr(form, "_reference_before", None),
            rubric_edited=any(fs.model is RubricPoint and fs.has_changed() for fs in formsets),
        )
        if key_changed:
            self.key_changed(request, question)

    def key_changed(self, request: HttpRequest, question: Question) -> None:
        """Tell the person that the answer key changed (grading's admin adds the regrade link)."""
        self.message_user(
            request,
            format_html("The answer key changed: {} is now version {}.", question, question.version),
            messages.WARNING,
        )

    # --- extra views ------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="bank_question_import"),
            path("<int:pk>/preview/", view(self.preview_view), name="bank_question_preview"),
            *super().get_urls(),
        ]

    def page_context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def preview_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        question = get_object_or_404(questions_for_export(), pk=pk)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        context = self.page_context(
            request,
            _("Preview: %(q)s") % {"q": question.label(prompt_chars=0)},
            original=question,
            question=question,
            choices=list(question.choices.all()),
            accepted=list(question.accepted_answers.all()),
            rubric=list(question.rubric_points.all()),
            kinds=QuestionKind,
        )
        return TemplateResponse(request, "admin/bank/question/preview.html", context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        error = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = questions_import_file(
                    data=upload.read(),
                    fmt=form.cleaned_data["format"] or None,
                    course_title=form.cleaned_data["course"] or None,
                    skip_unsupported=form.cleaned_data["skip_unsupported"],
                )
            except InterchangeError as exc:
                error = exc
            else:
                self.message_user(
                    request,
                    f"{upload.name} ({report.format}) into {report.course.title}: {report.line()}",
                    messages.SUCCESS,
                )
                for problem in report.skipped:
                    self.message_user(request, f"skipped: {problem}", messages.WARNING)
                for warning in report.warnings:
                    self.message_user(request, warning, messages.WARNING)
                return HttpResponseRedirect(reverse("admin:bank_question_changelist"))
        context = self.page_context(request, _("Import questions"), form=form, error=error, formats=FORMATS)
        return TemplateResponse(request, "admin/bank/question/import.html", context)
