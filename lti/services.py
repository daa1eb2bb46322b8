"""A validated LTI launch becomes a signed-in person in a section (`launch_accept`).

- The LMS user is linked to one platform user (`LtiUser.auth_user`): made on their first launch
  (username `lti-<registration>-<sub>`, no password: they come in through the LMS, or set one with
  a reset mail), with their name and e-mail from the launch.
- The LMS course (context) is one section (`SectionLink`): made on the first launch by an
  instructor, in the course the registration's `PlatformSettings` names; a student who arrives
  first is told to wait for the instructor.
- The LMS role maps to the section role (`roles.section_role`) and is enrolled through
  `classes.services.enrollment_add` (`roster.membership_apply`), so the rules of roles hold here
  too; a role changed in the LMS changes here on the next launch, unless the rules refuse it (the
  last instructor is not demoted), which keeps the role held.
- The activity (resource link) opens an assignment of that section (`AssignmentLink`): linked by
  Deep Linking or by a custom parameter `assignment_id`; without one, the section's page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from lti_tool.models import LtiContext, LtiLaunch, LtiResourceLink

from accounts.models import User
from classes import services as class_services
from classes.models import Enrollment, Section
from common.errors import ClassroomError
from quizzes.models import Assignment

from . import ags, checks, roles, roster
from .accounts import account_for
from .errors import LaunchRefused
from .models import AssignmentLink, PlatformSettings, SectionLink


@dataclass(frozen=True)
class Accepted:
    user: User
    section: Section
    role: str
    url: str


def _section(context: LtiContext, role: str, user: User) -> Section:
    link = SectionLink.objects.select_related("section").filter(context=context).first()
    if link is not None:
        return link.section
    if role != roles.INSTRUCTOR:
        raise LaunchRefused(
            _("Your instructor has not opened this course in Classroom yet. Try again after they have.")
        )
    platform = PlatformSettings.objects.filter(registration_id=context.deployment.registration_id).first()
    if platform is None:
        raise LaunchRefused(
            _("This LMS is registered without a Classroom course for its classes. Ask the administrator to choose one.")
        )
    name = (context.title or context.label or context.id_on_platform)[:160]
    term = f"LMS {context.id_on_platform}"[:100]  # unique with the name: two LMS courses of one title
    section = class_services.section_create(course=platform.course, name=name, term=term, time_zone=platform.time_zone)
    SectionLink.objects.create(context=context, section=section)
    return section


def _enrol(section: Section, user: User, role: str) -> str:
    """The LMS's role, applied on every launch (a student made assistant in the LMS becomes one
    here); what the rules of roles refuse (the last instructor demoted, a student of this course
    made staff) keeps the role held, or refuses the first launch."""
    try:
        with transaction.atomic():
            roster.membership_apply(section, user, role)
    except (ClassroomError, ValidationError) as exc:
        current = Enrollment.objects.filter(section=section, user=user).values_list("role", flat=True).first()
        if current is None:
            raise LaunchRefused(roster.refusal_text(exc)) from exc
        return current
    return role


def _assignment(launch: LtiLaunch, section: Section) -> Assignment | None:
    resource_link: LtiResourceLink = launch.resource_link
    link = AssignmentLink.objects.select_related("assignment").filter(resource_link=resource_link).first()
    if link is None:
        wanted = launch.get_custom_claim("assignment_id")
        if wanted is None or not str(wanted).isdigit():
            return None
        assignment = Assignment.objects.filter(pk=int(wanted), section=section).first()
        if assignment is None:
            raise LaunchRefused(_("This activity points to an assignment of another class. Ask your instructor."))
        link, _created = AssignmentLink.objects.get_or_create(
            resource_link=resource_link, defaults={"assignment": assignment}
        )
    ags.link_ags_update(link, launch.ags_claim)  # where its scores go (Assignment and Grade Services)
    return link.assignment


def _destination(section: Section, role: str, assignment: Assignment | None) -> str:
    staff = role in Enrollment.STAFF_ROLES
    if assignment is None:
        return reverse("teach:section", args=[section.pk]) if staff else reverse("portal:dashboard")
    if staff:
        return reverse("teach:monitor", args=[assignment.pk])
    return reverse("portal:assignment_start", args=[assignment.pk])


def _accept(launch: LtiLaunch) -> tuple[User, Section, str, Assignment | None]:
    claims = launch.get_launch_data()
    checks.claims_check(claims, launch.registration.client_id)
    checks.nonce_use(claims)
    role = roles.section_role(launch.roles_claim or [])
    if role is None:
        raise LaunchRefused(
            _("Classroom is for the instructors, assistants and students of a course; your LMS role is none of these.")
        )
    try:
        with transaction.atomic():
            user = account_for(launch.user)
            section = _section(launch.context, role, user)
            held = _enrol(section, user, role)
            assignment = _assignment(launch, section) if launch.is_resource_launch else None
    except IntegrityError as exc:  # two first launches of one course at once: the other one won
        raise LaunchRefused(_("Two launches crossed. Open the activity again.")) from exc
    return user, section, held, assignment


def launch_accept(launch: LtiLaunch) -> Accepted:
    """The person, section, role and page of a resource-link launch already validated by
    django-lti, after Classroom's own checks (`checks`); LaunchRefused says why not."""
    user, section, held, assignment = _accept(launch)
    return Accepted(user, section, held, _destination(section, held, assignment))


def deep_linking_accept(launch: LtiLaunch) -> Accepted:
    """A deep-linking request (the LMS asks which assignment to place): its staff only, who are
    sent to the picker (`url` is empty: the view knows it)."""
    user, section, held, _none = _accept(launch)
    if held not in Enrollment.STAFF_ROLES:
        raise LaunchRefused(_("Only the instructors and assistants of the course choose what to place in the LMS."))
    return Accepted(user, section, held, "")
