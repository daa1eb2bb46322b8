"""Who may do what, in one place: roles by section, used by portal pages, instructor pages and the API.

A person's rights come from their enrolment: students see their own work in their sections;
assistants and instructors are the section's staff (assistants grade, instructors also change
assignments); superusers may do everything.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User

from .models import Enrollment, Section

Role = Enrollment.Role
STAFF_ROLES = (Role.INSTRUCTOR, Role.ASSISTANT)


def section_role(user: User, section_id: int) -> str | None:
    """The user's role in the section, or None (anonymous users and outsiders)."""
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, section_id=section_id).values_list("role", flat=True).first()


def sections_of(user: User, roles: tuple[str, ...] | None = None) -> QuerySet[Section]:
    """Sections the user belongs to (with one of `roles`, if given); every section for superusers."""
    if not user.is_authenticated:
        return Section.objects.none()
    if user.is_superuser:
        return Section.objects.all()
    enrollments = Enrollment.objects.filter(user=user)
    if roles is not None:
        enrollments = enrollments.filter(role__in=roles)
    return Section.objects.filter(pk__in=enrollments.values("section_id"))


def is_staff_of(user: User, section_id: int) -> bool:
    """Instructor or assistant of the section (or a superuser): may see answers, keys and grades."""
    return bool(user.is_authenticated and (user.is_superuser or section_role(user, section_id) in STAFF_ROLES))


def is_instructor_of(user: User, section_id: int) -> bool:
    """Instructor of the section (or a superuser): may also change assignments and enrolments."""
    return bool(user.is_authenticated and (user.is_superuser or section_role(user, section_id) == Role.INSTRUCTOR))


def is_student_of(user: User, section_id: int) -> bool:
    return section_role(user, section_id) == Role.STUDENT


def is_staff_of_course(user: User, course_id: int) -> bool:
    """Staff of any section of the course: may see the course's reference answers and rubrics."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Enrollment.objects.filter(
        user=user, role__in=STAFF_ROLES, section__course_id=course_id
    ).exists()
