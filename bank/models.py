"""The question bank: courses, chapters, parts, questions and their answer keys."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    not_a_focus = models.BooleanField(_("not a focus"), default=False, help_text=_("Marked 非重点 / optional."))

    class Meta:
        ordering = ["course", "position", "number"]
        constraints = [models.UniqueConstraint(fields=["course", "number"], name="chapter_unique_number")]

    def __str__(self) -> str:
        return f"Chapter {self.number} {self.title}"


class Part(models.Model):
    """An optional grouping inside a chapter ("Part I. Autoencoder")."""

    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="parts")
    numeral = models.CharField(_("numeral"), max_length=10)
    title = models.CharField(_("title"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["chapter", "position"]
        constraints = [models.UniqueConstraint(fields=["chapter", "numeral"], name="part_unique_numeral")]

    def __str__(self) -> str:
        return f"Part {self.numeral}. {self.title}"


class QuestionKind(models.TextChoices):
    FREE_TEXT = "free_text", _("Free text")
    SHORT_TEXT = "short_text", _("Short text")
    NUMERIC = "numeric", _("Numeric")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    ENUMERATION = "enumeration", _("Enumeration (list at least N)")


class AnswerSource(models.TextChoices):
    """Who wrote the reference answer: the bank marks AI-written parts 💻 and the author's notes 👦."""

    AI = "ai", _("Written by an AI assistant")
    AUTHOR = "author", _("The author's own note")
    MIXED = "mixed", _("Partly AI-written, partly the author's")
    UNSPECIFIED = "unspecified", _("Unspecified")


class Question(models.Model):
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="questions")
    part = models.ForeignKey(Part, on_delete=models.PROTECT, related_name="questions", null=True, blank=True)
    ref = models.CharField(
        _("reference"), max_length=20, help_text=_("Natural key inside the chapter: '2', or 'I.2' in part I.")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.FREE_TEXT)
    prompt = models.TextField(_("prompt"))
    reference_answer = models.TextField(_("reference answer"), blank=True, help_text=_("Markdown"))
    answer_source = models.CharField(
        _("source of the reference answer"),
        max_length=12,
        choices=AnswerSource.choices,
        default=AnswerSource.UNSPECIFIED,
    )
    source_marks = models.JSONField(
        _("source marks"),
        default=list,
        blank=True,
        help_text=_('Where each source starts in the reference answer: [{"offset": 0, "source": "ai"}].'),
    )
    errata = models.JSONField(_("errata notes"), default=list, blank=True)
    not_a_focus = models.BooleanField(_("not a focus"), default=False)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=10)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised whenever the answer key or rubric changes.")
    )
    language = models.CharField(
        _("feedback language"), max_length=8, default="en", choices=[("en", "English"), ("zh", "中文")]
    )
    # Numeric questions
    numeric_value = models.FloatField(_("numeric answer"), null=True, blank=True)
    numeric_abs_tolerance = models.FloatField(_("absolute tolerance"), default=0)
    numeric_rel_tolerance = models.FloatField(_("relative tolerance"), default=0)
    rubric_is_proposed = models.BooleanField(
        _("rubric proposed by the platform"),
        default=False,
        help_text=_("Proposed from the reference answer; re-proposed when it changes, until a person edits it."),
    )
    # Enumeration: how many accepted items earn full points (0 = all of them)
    min_items = models.PositiveSmallIntegerField(_("items required"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["chapter__position", "chapter__number", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "ref"], name="question_unique_ref_per_chapter"),
            models.CheckConstraint(condition=Q(points__gte=0), name="question_points_not_negative"),
            models.CheckConstraint(condition=Q(version__gte=1), name="question_version_positive"),
            models.CheckConstraint(
                condition=Q(numeric_abs_tolerance__gte=0, numeric_rel_tolerance__gte=0),
                name="question_tolerances_not_negative",
            ),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.label()

    @property
    def code(self) -> str:
        """The question's one label: its chapter's number and its ref ("9.1", "8.I.2"), the natural
        key that the pages, the exports, the rubric file and the interchange names all use."""
        return f"{self.chapter.number}.{self.ref}"

    @property
    def column_label(self) -> str:
        """The label as a column of the grade tables ("Q8.I.2")."""
        return f"Q{self.code}"

    def label(self, prompt_chars: int = 60) -> str:
        """The code and the first `prompt_chars` characters of the prompt (just the code for 0)."""
        return f"{self.code} {self.prompt[:prompt_chars]}" if prompt_chars else self.code

    @property
    def is_ai_written(self) -> bool:
        return self.answer_source in (AnswerSource.AI, AnswerSource.MIXED)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=1000)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class AcceptedAnswer(models.Model):
    """An accepted short answer, or one accepted item of an enumeration, with its synonyms."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="accepted_answers")
    text = models.CharField(_("text"), max_length=1000)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    is_regex = models.BooleanField(_("regular expression"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]

    def __str__(self) -> str:
        return self.text


class RubricPoint(models.Model):
    """A key point a free-text answer should make, with its weight and optional keywords."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rubric_points")
    text = models.TextField(_("key point"))
    weight = models.FloatField(_("weight"), default=1.0)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="rubric_point_weight_positive")]

    def __str__(self) -> str:
        return self.text[:80]
