"""The rules of roles themselves: who may hold which role, checked by every service that enrols.

A person cannot be a student and staff of the same course at once: the sections of a course share
its question bank, so a student of section B made assistant of section A would see the answer keys
of the exam they are about to sit. A section keeps at least one instructor: a section nobody can
manage would be stuck.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from classes.errors import RoleConflict

from ..models import Enrollment, Section
from .roles import STAFF_ROLES, Role


def _conflict_message(username: str, other: Enrollment, wanted_staff: bool) -> str:
    values = {"who": username, "role": Role(other.role).label, "section": other.section}
    if wanted_staff:
        return _("%(who)s is a student of %(section)s in this course, so they cannot also be its staff.") % values
    return _("%(who)s is %(role)s of %(section)s in this course, so they cannot also be its student.") % values


def _clashing(user_ids: Iterable[int], section: Section, role: str) -> QuerySet[Enrollment]:
    """Enrolments in other sections of the course that clash with `role` in `section`."""
    clashing = (Role.STUDENT,) if role in STAFF_ROLES else STAFF_ROLES
    return (
        Enrollment.objects.filter(user_id__in=list(user_ids), section__course_id=section.course_id, role__in=clashing)
        .exclude(section_id=section.pk)
        .select_related("section", "user")
        .order_by("pk")
    )


def role_conflict(user: Any, section: Section, role: str) -> str | None:
    """Why `user` may not hold `role` in `section` (None: they may). Their role in `section`
    itself may change; a role in another section of the same course that mixes student and staff
    is the conflict."""
    other = _clashing([user.pk], section, role).first()
    return None if other is None else _conflict_message(user.get_username(), other, role in STAFF_ROLES)


def student_conflicts(users: Iterable[Any], section: Section) -> dict[int, str]:
    """`role_conflict` of many future students at once (the CSV upload): user id -> why (one query)."""
    found: dict[int, str] = {}
    for other in _clashing([u.pk for u in users], section, Role.STUDENT):
        found.setdefault(other.user_id, _conflict_message(other.user.get_username(), other, False))
    return found


def enrollment_check(user: Any, section: Section, role: str) -> None:
    """Raise RoleConflict when `user` may not hold `role` in `section`."""
    problem = role_conflict(user, section, role)
    if problem:
        raise RoleConflict(problem)


def last_instructor_check(enrollment: Enrollment, new_role: str | None) -> None:
    """Refuse to remove (`new_role` None) or demote the section's last instructor. Locks the
    section's instructor rows, so two concurrent demotions cannot both pass; call it inside the
    transaction that writes."""
    if enrollment.role != Role.INSTRUCTOR or new_role == Role.INSTRUCTOR:
        return
    instructors = Enrollment.objects.select_for_update().filter(section_id=enrollment.section_id, role=Role.INSTRUCTOR)
    if len(list(instructors.values_list("pk", flat=True))) > 1:
        return
    if new_role is None:
        raise ValidationError(_("A class needs at least one instructor: add another before removing this one."))
    raise ValidationError(_("A class needs at least one instructor: add another before changing this one's role."))
