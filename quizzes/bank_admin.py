"""The question bank in the Django admin: chapters, parts, questions with their answer keys.

Saving a question compares its answer key (`authoring.question_key_snapshot`) before and after
the save, inlines included, and raises its version exactly once when the key changed; then it
offers a regrade. A person editing rubric points clears `rubric_is_proposed`. Extra admin views:
a student-eye preview, a regrade preview/start page, and an import page; actions export the
selected questions (all through `quizzes.interchange.files`, the same service as the commands).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grading.services import regrade_preview, regrade_start

from .authoring import question_edited, question_key_snapshot
from .interchange.detect import FORMATS
from .interchange.files import EXTENSIONS, questions_export, questions_import_file
from .interchange.mapping import questions_for_export
from .interchange.types import InterchangeError
from .models import AcceptedAnswer, Chapter, Choice, Course, Part, Question, QuestionKind, RubricPoint

EXPORT_CONTENT_TYPES = {"moodle-xml": "application/xml", "gift": "text/plain", "bank": "text/plain"}


class LinesField(forms.CharField):
    """A list of strings edited one per line (synonyms, keywords) instead of raw JSON."""

    widget = forms.Textarea(attrs={"rows": 2, "cols": 28})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return [str(v) for v in value]
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


class AcceptedAnswerForm(forms.ModelForm):
    synonyms = LinesField(label=_("synonyms (one per line)"))

    class Meta:
        model = AcceptedAnswer
        fields = ("position", "text", "synonyms", "is_regex")


class RubricPointForm(forms.ModelForm):
    keywords = LinesField(label=_("keywords (one per line)"))

    class Meta:
        model = RubricPoint
        fields = ("position", "text", "weight", "keywords")
        widgets = {"text": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class _OrderedInline(admin.TabularInline):
    extra = 0
    ordering = ("position", "id")


class ChoiceInline(_OrderedInline):
    model = Choice
    fields = ("position", "text", "is_correct")

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "text":
            kwargs["widget"] = forms.TextInput(attrs={"size": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AcceptedAnswerInline(_OrderedInline):
    model = AcceptedAnswer
    form = AcceptedAnswerForm

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "text":
            kwargs["widget"] = forms.TextInput(attrs={"size": 50})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class RubricPointInline(_OrderedInline):
    model = RubricPoint
    form = RubricPointForm
    verbose_name = _("rubric key point")
    verbose_name_plural = _("rubric key points (editing them makes the rubric yours: it is no longer re-proposed)")


class PartInline(_OrderedInline):
    model = Part
    fields = ("position", "numeral", "title")


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


def _export_action(fmt: str, label: str):
    def action(modeladmin: QuestionAdmin, request: HttpRequest, queryset: QuerySet[Question]) -> HttpResponse | None:
        questions = questions_for_export().filter(pk__in=queryset.values("pk")).select_related("chapter__course")
        try:
            export = questions_export(questions, fmt=fmt)
        except InterchangeError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            return None
        for warning in export.warnings:
            modeladmin.message_user(request, warning, messages.WARNING)
        if not export.count:
            modeladmin.message_user(request, _("Nothing could be exported in this format."), messages.ERROR)
            return None
        response = HttpResponse(export.text, content_type=f"{EXPORT_CONTENT_TYPES[fmt]}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="questions.{EXTENSIONS[fmt]}"'
        return response

    action.__name__ = f"export_{fmt.replace('-', '_')}"
    return admin.action(description=label)(action)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file"))
    format = forms.ChoiceField(
        label=_("format"),
        choices=[("", _("detect from the content")), *((f, f) for f in FORMATS)],
        required=False,
    )
    course = forms.CharField(
        label=_("course title"),
        required=False,
        help_text=_("Existing or new. Blank: the only course (Moodle XML, GIFT) or the bank's own title."),
    )
    skip_unsupported = forms.BooleanField(
        label=_("skip unsupported questions"),
        required=False,
        help_text=_("Import the rest and list what was skipped, instead of importing nothing."),
    )


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
        _export_action("moodle-xml", _("Export selected questions as Moodle XML")),
        _export_action("gift", _("Export selected questions as GIFT")),
        _export_action("bank", _("Export selected questions as bank text")),
    ]

    @admin.display(description=_("question"), ordering="position")
    def label(self, question: Question) -> str:
        return f"{question.chapter.number}.{question.ref} {question.prompt[:70]}"

    @admin.display(description=_("preview"))
    def preview_link(self, question: Question) -> str:
        if not question.pk:
            return "-"
        url = reverse("admin:quizzes_question_preview", args=[question.pk])
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
            field.label_from_instance = lambda part: f"{part.chapter} · {part}"
            return field
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Question | None = None, change: bool = False, **kwargs: Any):
        request._question_chapter_id = obj.chapter_id if obj else None  # type: ignore[attr-defined]
        return super().get_form(request, obj, change=change, **kwargs)

    # --- the answer key and its version ---------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Question, form: forms.ModelForm, change: bool) -> None:
        if change:
            stored = questions_for_export().get(pk=obj.pk)
            form._key_before = question_key_snapshot(stored)  # type: ignore[attr-defined]
            form._reference_before = stored.reference_answer  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        question: Question = form.instance
        key_changed = question_edited(
            question=question,
            key_before=getattr(form, "_key_before", None),
            reference_before=getattr(form, "_reference_before", None),
            rubric_edited=any(fs.model is RubricPoint and fs.has_changed() for fs in formsets),
        )
        if not key_changed:
            return
        url = reverse("admin:quizzes_question_regrade", args=[question.pk])
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

    # --- extra views ------------------------------------------------------------------------

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="quizzes_question_import"),
            path("<int:pk>/preview/", view(self.preview_view), name="quizzes_question_preview"),
            path("<int:pk>/regrade/", view(self.regrade_view), name="quizzes_question_regrade"),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title, **extra}

    def preview_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        question = get_object_or_404(questions_for_export(), pk=pk)
        if not self.has_view_permission(request, question):
            raise PermissionDenied
        context = self._context(
            request,
            _("Preview: %(q)s") % {"q": f"{question.chapter.number}.{question.ref}"},
            original=question,
            question=question,
            choices=list(question.choices.all()),
            accepted=list(question.accepted_answers.all()),
            rubric=list(question.rubric_points.all()),
            kinds=QuestionKind,
        )
        return TemplateResponse(request, "admin/quizzes/question/preview.html", context)

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
            return HttpResponseRedirect(reverse("admin:quizzes_question_change", args=[question.pk]))
        rows = regrade_preview(question.pk, actor=request.user)
        context = self._context(
            request,
            _("Regrade %(q)s") % {"q": f"{question.chapter.number}.{question.ref}"},
            original=question,
            question=question,
            rows=rows,
            changing=sum(1 for r in rows if r.changes),
            overridden=sum(1 for r in rows if r.overridden),
        )
        return TemplateResponse(request, "admin/quizzes/question/regrade.html", context)

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
                return HttpResponseRedirect(reverse("admin:quizzes_question_changelist"))
        context = self._context(request, _("Import questions"), form=form, error=error, formats=FORMATS)
        return TemplateResponse(request, "admin/quizzes/question/import.html", context)
