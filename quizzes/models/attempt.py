"""A student's attempt at an assignment, the questions drawn for it, and the answers saved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        AUTO_SUBMITTED = "auto_submitted", _("Submitted automatically at the deadline")
        GRADED = "graded", _("Graded")

    CLOSED_STATUSES = (Status.SUBMITTED, Status.AUTO_SUBMITTED, Status.GRADED)

    assignment = models.ForeignKey("quizzes.Assignment", on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(
        _("deadline"), help_text=_("Start + time limit, capped by the window's close; grace comes on top.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    last_saved_at = models.DateTimeField(_("last saved at"), null=True, blank=True)

    class Meta:
        ordering = ["assignment", "student", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "number"], name="attempt_unique_number"),
            models.UniqueConstraint(
                fields=["assignment", "student"],
                condition=Q(status="in_progress"),
                name="attempt_one_in_progress_per_student",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attempt_number_positive"),
            models.CheckConstraint(
                condition=(
                    Q(status="in_progress", submitted_at__isnull=True)
                    | (~Q(status="in_progress") & Q(submitted_at__isnull=False))
                ),
                name="attempt_submitted_at_matches_status",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("started_at")), name="attempt_deadline_after_start"
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_status_deadline")]

    def __str__(self) -> str:
        return f"Attempt {self.pk} by {self.student_id} on assignment {self.assignment_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS


class AttemptQuestion(models.Model):
    """A question frozen into an attempt with the version and points it had when drawn.

    `position` is the quiz's order, which results, receipts, exports and analytics use whatever the
    student saw; `shown_position` and `choice_order` are what the attempt page shows when the
    assignment shuffles (drawn once at the start, so a reload shows the same order).
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="attempt_questions")
    position = models.PositiveSmallIntegerField(_("position"))
    shown_position = models.PositiveSmallIntegerField(
        _("position shown"), null=True, blank=True, help_text=_("Empty: the quiz's position.")
    )
    choice_order = models.JSONField(
        _("order of the choices shown"), default=list, blank=True, help_text=_("Choice ids; empty: the bank's order.")
    )
    question = models.ForeignKey("bank.Question", on_delete=models.PROTECT, related_name="attempt_questions")
    question_version = models.PositiveIntegerField(_("question version"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_question_unique_position"),
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_unique_question"),
            models.UniqueConstraint(
                fields=["attempt", "shown_position"], name="attempt_question_unique_shown_position"
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.attempt_id} #{self.position}: question {self.question_id} v{self.question_version}"

    @property
    def shown_number(self) -> int:
        """The question's number on the attempt page (its place in the student's order)."""
        return self.shown_position or self.position


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("bank.Question", on_delete=models.PROTECT, related_name="answers")
    response = models.JSONField(_("response"), null=True, blank=True)
    saved_at = models.DateTimeField(_("last saved at"))

    class Meta:
        ordering = ["attempt", "id"]
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"Answer {self.pk} to question {self.question_id}"
