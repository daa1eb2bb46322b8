"""Facts the rules are made of: a person's role in a section or a course, and the same facts as
querysets (what a person may list). One indexed query per fact; nothing is cached, so a role
changed a moment ago counts at once."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bank.models import Course, Question

from ..models import Enrollment, Section

Role = Enrollment.Role
STAFF_ROLES = (Role.INSTRUCTOR, Role.ASSISTANT)
ADMIN = "admin"  # the role of a superuser, everywhere


def signed_in(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated)


def is_admin(actor: Any) -> bool:
    return signed_in(actor) and bool(actor.is_superuser)


def section_role(actor: Any, section_id: int) -> str | None:
    """The actor's role in the section: ADMIN for superusers, None for outsiders and anonymous."""
    if is_admin(actor):
        return ADMIN
    if not signed_in(actor):
        return None
    return Enrollment.objects.filter(user=actor, section_id=section_id).values_list("role", flat=True).first()


def course_roles(actor: Any, course_id: int) -> set[str]:
    """Every role the actor holds in the sections of the course ({ADMIN} for superusers)."""
    if is_admin(actor):
        return {ADMIN}
    if not signed_in(actor):
        return set()
    return set(Enrollment.objects.filter(user=actor, section__course_id=course_id).values_list("role", flat=True))


def sees_keys_of_course(roles: set[str]) -> bool:
    """Staff of a section of the course, and a student of none of them (see `enrollment_check`)."""
    return ADMIN in roles or (bool(roles & set(STAFF_ROLES)) and Role.STUDENT not in roles)


def is_staff_of(actor: Any, section_id: int) -> bool:
    return section_role(actor, section_id) in (ADMIN, *STAFF_ROLES)


def is_instructor_of(actor: Any, section_id: int) -> bool:
    return section_role(actor, section_id) in (ADMIN, Role.INSTRUCTOR)


# --- scopes: the same facts as querysets -----------------------------------------------------------


def sections_of(actor: Any, roles: tuple[str, ...] | None = None) -> QuerySet[Section]:
    """Sections the actor belongs to (with one of `roles`, if given); every section for superusers."""
    if is_admin(actor):
        return Section.objects.all()
    if not signed_in(actor):
        return Section.objects.none()
    enrollments = Enrollment.objects.filter(user=actor)
    if roles is not None:
        enrollments = enrollments.filter(role__in=roles)
    return Section.objects.filter(pk__in=enrollments.values("section_id"))


def sections_visible(actor: Any) -> QuerySet[Section]:
    return sections_of(actor)


def sections_staffed(actor: Any) -> QuerySet[Section]:
    return sections_of(actor, roles=STAFF_ROLES)


def sections_instructed(actor: Any) -> QuerySet[Section]:
    return sections_of(actor, roles=(Role.INSTRUCTOR,))


def courses_visible(actor: Any) -> QuerySet[Course]:
    if is_admin(actor):
        return Course.objects.all()
    return Course.objects.filter(pk__in=sections_visible(actor).values("course_id"))


def courses_with_keys(actor: Any) -> QuerySet[Course]:
    """Courses whose answer keys and quizzes the actor may see: staff there, a student nowhere in it."""
    if is_admin(actor):
        return Course.objects.all()
    studied = Enrollment.objects.filter(user_id=getattr(actor, "pk", None), role=Role.STUDENT)
    return Course.objects.filter(pk__in=sections_staffed(actor).values("course_id")).exclude(
        pk__in=studied.values("section__course_id")
    )


def courses_for_new_sections(actor: Any) -> QuerySet[Course]:
    """Courses in which the actor may open a section: those they instruct (any, for superusers)."""
    if is_admin(actor):
        return Course.objects.all()
    return Course.objects.filter(pk__in=sections_instructed(actor).values("course_id"))


def questions_visible(actor: Any) -> QuerySet[Question]:
    """Every question of the courses whose keys the actor sees, and for a student only the
    questions of attempts they have started (never the bank ahead of an exam)."""
    if is_admin(actor):
        return Question.objects.all()
    if not signed_in(actor):
        return Question.objects.none()
    drawn = Question.objects.filter(attempt_questions__attempt__student=actor).values("pk")
    return Question.objects.filter(chapter__course__in=courses_with_keys(actor)) | Question.objects.filter(pk__in=drawn)
