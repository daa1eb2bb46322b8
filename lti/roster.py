"""Names and Role Provisioning Services: an instructor brings the section's roster up to date with
the LMS course's (`roster_sync`), through pylti1p3's NRPS client.

- Every active member with a role that has a place here (`roles.section_role`) gets an account
  (the same one their launches use) and an enrolment with their mapped role; a member whose LMS
  role changed gets the new one (`membership_apply`, also used by launches).
- Members the LMS lists as inactive or deleted, and people enrolled through this LMS whom it no
  longer lists, are **left enrolled** and reported as gone: taking them out would stop an attempt in
  progress and hide their results from them, and LMSs list students inactive for a while (a
  term's change, a late payment) more often than they drop them. The report names them; the
  instructor removes them from the section's page if they have left for good.
- Anything refused by the rules of roles (a student of this course made staff of another section
  of it, the last instructor demoted) is reported as skipped with the reason; the rest goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lti_tool.models import LtiUser
from pylti1p3.exception import LtiException
from pylti1p3.names_roles import NamesRolesProvisioningService

from accounts.models import User
from classes import policy
from classes import services as class_services
from classes.models import Enrollment, Section
from common.errors import ClassroomError

from . import ags, roles
from .accounts import account_for
from .models import SectionLink

ADDED, UPDATED, KEPT = "added", "updated", "kept"


class RosterUnavailable(ClassroomError):
    code = "roster_unavailable"


@dataclass
class RosterReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # no longer active in the LMS: left enrolled
    skipped: list[str] = field(default_factory=list)  # "who: why"


def refusal_text(exc: ClassroomError | ValidationError) -> str:
    return exc.message if isinstance(exc, ClassroomError) else " ".join(exc.messages)


def membership_apply(section: Section, user: User, role: str) -> str:
    """Enrol `user` with `role`, or change their role to it; ADDED, UPDATED or KEPT. Raises
    ClassroomError (a role conflict) or ValidationError (the last instructor) when the rules refuse it."""
    current = Enrollment.objects.filter(section=section, user=user).values_list("role", flat=True).first()
    if current == role:
        return KEPT
    class_services.enrollment_add(section=section, user=user, role=role, actor=None)
    return ADDED if current is None else UPDATED


def roster_sync(*, section: Section, actor: User) -> RosterReport:
    policy.section_manage(actor, section)
    link = SectionLink.objects.select_related("context__deployment__registration").filter(section=section).first()
    if link is None or not link.context.memberships_url:
        raise RosterUnavailable(_("This class is not linked to an LMS course that shares its roster."))
    context = link.context
    registration = context.deployment.registration
    service = NamesRolesProvisioningService(
        ags.connector(registration=registration), {"context_memberships_url": context.memberships_url}
    )
    try:
        members = service.get_members()
    except (LtiException, requests.RequestException) as exc:
        raise RosterUnavailable(
            _("The LMS did not give the roster (%(error)s). Try again later.") % {"error": ags.classify(exc)[0]}
        ) from exc
    report = RosterReport()
    active: set[int] = set()
    with transaction.atomic():
        context.update_memberships([m for m in members if m.get("user_id")])  # django-lti's records
        lti_users = {u.sub: u for u in LtiUser.objects.filter(registration=registration)}
        for member in members:
            lti_user = lti_users.get(str(member.get("user_id")))
            role = roles.section_role(member.get("roles") or [])
            if lti_user is None or role is None or member.get("status", "Active") != "Active":
                continue
            user = account_for(lti_user)
            active.add(user.pk)
            try:
                with transaction.atomic():
                    outcome = membership_apply(section, user, role)
            except (ClassroomError, ValidationError) as exc:
                report.skipped.append(f"{user.shown_name}: {refusal_text(exc)}")
                continue
            {ADDED: report.added, UPDATED: report.updated, KEPT: report.unchanged}[outcome].append(user.shown_name)
        from_lms = LtiUser.objects.filter(registration=registration, auth_user__isnull=False).values("auth_user")
        for enrollment in (
            Enrollment.objects.filter(section=section, user__in=from_lms)
            .exclude(user__in=active)
            .select_related("user")
            .order_by("user__username")
        ):
            report.gone.append(enrollment.user.shown_name)
    return report
