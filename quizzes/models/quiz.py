"""Quizzes (ordered items drawn from the bank) and assignments (a quiz given to a section)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .extension import Extension


class Quiz(models.Model):
    course = models.ForeignKey("bank.Course", on_delete=models.PROTECT, related_name="quizzes")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "title"]
        verbose_name_plural = "quizzes"

    def __str__(self) -> str:
        return self.title


class QuizItem(models.Model):
    """One slot of a quiz: a fixed question, or "draw N at random from chapter X"."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    question = models.ForeignKey("bank.Question", on_delete=models.PROTECT, null=True, blank=True)
    chapter = models.ForeignKey("bank.Chapter", on_delete=models.PROTECT, null=True, blank=True)
    draw_count = models.PositiveSmallIntegerField(_("questions drawn"), default=1)
    points = models.DecimalField(
        _("points per question"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: each question's own points."),
    )

    class Meta:
        ordering = ["quiz", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "position"], name="quiz_item_unique_position"),
            models.CheckConstraint(
                condition=(
                    Q(question__isnull=False, chapter__isnull=True)
                    | Q(question__isnull=True, chapter__isnull=False, draw_count__gte=1)
                ),
                name="quiz_item_question_xor_draw",
            ),
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__gte=0), name="quiz_item_points_ok"),
        ]

    def __str__(self) -> str:
        if self.question_id:
            return f"#{self.position}: question {self.question_id}"
        return f"#{self.position}: {self.draw_count} from chapter {self.chapter_id}"


class ReleasePolicy(models.TextChoices):
    AFTER_GRADING = "after_grading", _("As soon as the attempt is graded")
    AFTER_CLOSE = "after_close", _("After the window closes and grading is done")
    MANUAL = "manual", _("When the instructor releases them")


class Assignment(models.Model):
    """A quiz given to a section inside an exam window."""

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="assignments")
    section = models.ForeignKey("classes.Section", on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(_("title"), max_length=300, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_limit = models.DurationField(
        _("time limit"), null=True, blank=True, help_text=_("Empty: until the window closes.")
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    grace_period = models.DurationField(
        _("grace period"), default=timedelta(0), help_text=_("Saves are still accepted this long after the deadline.")
    )
    release_policy = models.CharField(
        _("results released"), max_length=16, choices=ReleasePolicy.choices, default=ReleasePolicy.AFTER_CLOSE
    )
    released_at = models.DateTimeField(_("released manually at"), null=True, blank=True)
    shuffle_questions = models.BooleanField(
        _("shuffle the questions"),
        default=False,
        help_text=_("Each student sees the questions in an order of their own."),
    )
    shuffle_choices = models.BooleanField(
        _("shuffle the choices"),
        default=False,
        help_text=_("Each student sees the options of a choice question in an order of their own."),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "opens_at"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="assignment_closes_after_opening"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="assignment_at_least_one_attempt"),
            models.CheckConstraint(condition=Q(grace_period__gte=timedelta(0)), name="assignment_grace_not_negative"),
            models.CheckConstraint(
                condition=Q(time_limit__isnull=True) | Q(time_limit__gt=timedelta(0)),
                name="assignment_time_limit_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.quiz.title

    def close_for(self, extension: Extension | None) -> datetime:
        """When the window closes for a student with this extension (or none), before grace."""
        return extension.window_close(self.closes_at, self.time_limit is not None) if extension else self.closes_at
