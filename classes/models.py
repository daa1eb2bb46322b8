from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone (e.g. Asia/Shanghai)."), params={"value": value})


class Section(models.Model):
    """A class: one course taught to a group of people in a term, in one time zone."""

    course = models.ForeignKey("bank.Course", on_delete=models.PROTECT, related_name="sections")
    name = models.CharField(_("name"), max_length=200)
    term = models.CharField(_("term"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "term", "name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "term", "name"], name="section_unique_name_per_term"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.term})" if self.term else self.name


class Enrollment(models.Model):
    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", _("Instructor")
        ASSISTANT = "assistant", _("Assistant")
        STUDENT = "student", _("Student")

    STAFF_ROLES = (Role.INSTRUCTOR, Role.ASSISTANT)

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["section", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["section", "user"], name="enrollment_one_role_per_section"),
            models.CheckConstraint(
                condition=models.Q(role__in=["instructor", "assistant", "student"]), name="enrollment_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.section} as {self.role}"


class PasswordSetup(models.Model):
    """A one-time way in for a student without e-mail: a set-password link and a short code, handed
    out on paper by the staff of a section after a CSV enrolment.

    Either opens the same page once, before `expires_at`, unless revoked. Only digests are stored
    (keyed with SECRET_KEY: a short code could be found from a plain hash), so the sheet is the
    only copy; issuing again replaces the open ones. The row is the audit record: who issued it,
    when, and when and from which address it was used or who revoked it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_setups")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="password_setups")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="password_setups_issued"
    )
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"))
    link_digest = models.CharField(max_length=64, unique=True)
    code_digest = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    used_from = models.GenericIPAddressField(_("used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="password_setups_revoked",
        help_text=_("Empty on a revoked row: replaced by a newer one, or the student set a password."),
    )

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("set-password code")
        verbose_name_plural = _("set-password codes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")), name="password_setup_expires_after_issue"
            ),
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="password_setup_used_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"set-password code of {self.user_id} ({self.issued_at:%Y-%m-%d})"
