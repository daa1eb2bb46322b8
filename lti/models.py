"""What Classroom adds to django-lti's records of LMS platforms (`lti_tool`): where an LMS's courses
live here. django-lti keeps the registrations, deployments, LMS users (linked to ours by
`LtiUser.auth_user`), contexts, memberships and resource links; these tables map them onto ours.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiContext, LtiRegistration, LtiResourceLink

from classes.models import validate_time_zone


class PlatformSettings(models.Model):
    """Per LMS registration: the bank course whose sections its courses become, and their time zone."""

    registration = models.OneToOneField(LtiRegistration, on_delete=models.CASCADE, related_name="classroom")
    course = models.ForeignKey(
        "bank.Course",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("An LMS course launched for the first time by its instructor becomes a section of this course."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )

    class Meta:
        verbose_name = _("Classroom settings")
        verbose_name_plural = _("Classroom settings")

    def __str__(self) -> str:
        return f"{self.registration} → {self.course}"


class SectionLink(models.Model):
    """An LMS course (LTI context) is one section here."""

    context = models.OneToOneField(LtiContext, on_delete=models.CASCADE, related_name="classroom")
    section = models.OneToOneField("classes.Section", on_delete=models.CASCADE, related_name="lti_link")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.context} → {self.section}"


class AssignmentLink(models.Model):
    """An LMS activity (LTI resource link) opens one assignment of the linked section."""

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="classroom")
    assignment = models.ForeignKey("quizzes.Assignment", on_delete=models.CASCADE, related_name="lti_links")
    # The activity's Assignment and Grade Services claim, as of its latest launch: where its
    # scores go (`lineitem`, or one found or made in `lineitems`) and what the LMS allows.
    lineitem_url = models.URLField(_("line item URL"), max_length=500, blank=True)
    lineitems_url = models.URLField(_("line items URL"), max_length=500, blank=True)
    ags_scopes = models.JSONField(_("grade service scopes"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.assignment_id}"
