"""A per-student exception to an assignment's window: extra time and/or a later close."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Extension(models.Model):
    """`extra_time` is added to the assignment's time limit (or, without a limit, to the close);
    `closes_at` replaces the window's close for this student. Either or both may be set."""

    assignment = models.ForeignKey("quizzes.Assignment", on_delete=models.CASCADE, related_name="extensions")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    extra_time = models.DurationField(_("extra time"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at (for this student)"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment", "student"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="extension_one_per_student"),
            models.CheckConstraint(
                condition=Q(extra_time__isnull=False) | Q(closes_at__isnull=False), name="extension_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(extra_time__isnull=True) | Q(extra_time__gt=timedelta(0)),
                name="extension_extra_time_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Extension for {self.student_id} on assignment {self.assignment_id}"

    def window_close(self, assignment_closes_at: datetime, has_time_limit: bool) -> datetime:
        """When the window closes for this student (before grace)."""
        close = max(self.closes_at, assignment_closes_at) if self.closes_at else assignment_closes_at
        if self.extra_time and not has_time_limit:
            close += self.extra_time
        return close
