"""Who may call what in the REST API: DRF permission classes and queryset scopes, all built on
`classes.access` (the one place that knows roles). Every API view uses these; none asks the
enrolment table on its own.

Two rules give the statuses (docs/api.md):
- what a person may not even see is absent from their querysets -> 404 (never someone else's data);
- what they may see but not change is refused by a permission class -> 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import exceptions, permissions
from rest_framework.request import Request

from accounts.models import User
from classes import access
from classes.models import Enrollment, Section
from grading.models import GradingJob
from quizzes.models import Answer, Assignment, Attempt, Chapter, Course, Question, Quiz

# --- scopes (querysets of what a user may see) ---------------------------------------------------


def visible_sections(user: User) -> QuerySet[Section]:
    return access.sections_of(user)


def staff_sections(user: User) -> QuerySet[Section]:
    return access.sections_of(user, roles=access.STAFF_ROLES)


def instructor_sections(user: User) -> QuerySet[Section]:
    return access.sections_of(user, roles=(access.Role.INSTRUCTOR,))


def visible_courses(user: User) -> QuerySet[Course]:
    if user.is_authenticated and user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(pk__in=visible_sections(user).values("course_id"))


def staff_courses(user: User) -> QuerySet[Course]:
    if user.is_authenticated and user.is_superuser:
        return Course.objects.all()
    return Course.objects.filter(pk__in=staff_sections(user).values("course_id"))


def staff_course_ids(user: User) -> set[int]:
    return set(staff_courses(user).values_list("pk", flat=True))


def is_staff_somewhere(user: User) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or staff_sections(user).exists()))


# --- objects -> the section or course that decides -------------------------------------------------


def section_id_of(obj: Any) -> int:
    if isinstance(obj, Section):
        return obj.pk
    if isinstance(obj, (Enrollment, Assignment)):
        return obj.section_id
    if isinstance(obj, Attempt):
        return obj.assignment.section_id
    if isinstance(obj, Answer):
        return obj.attempt.assignment.section_id
    if isinstance(obj, GradingJob):
        assignment = obj.assignment or (obj.attempt.assignment if obj.attempt_id else None)
        if assignment is None:
            raise exceptions.PermissionDenied("Only administrators can see jobs of the whole bank.")
        return assignment.section_id
    raise TypeError(f"no section for {type(obj).__name__}")


def course_id_of(obj: Any) -> int:
    if isinstance(obj, Course):
        return obj.pk
    if isinstance(obj, (Quiz, Section, Chapter)):
        return obj.course_id
    if isinstance(obj, Question):
        return obj.chapter.course_id
    raise TypeError(f"no course for {type(obj).__name__}")


# --- permission classes ----------------------------------------------------------------------


class IsAdmin(permissions.BasePermission):
    message = "Only administrators can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user.is_authenticated and request.user.is_superuser)


class IsStaffSomewhere(permissions.BasePermission):
    """Instructor or assistant of at least one section (the object check follows)."""

    message = "Only instructors and assistants can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_somewhere(request.user)


class IsSectionStaff(permissions.BasePermission):
    message = "Only the instructors and assistants of this class can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return access.is_staff_of(request.user, section_id_of(obj))


class IsSectionInstructor(permissions.BasePermission):
    message = "Only the instructors of this class can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return access.is_instructor_of(request.user, section_id_of(obj))


class IsCourseStaff(permissions.BasePermission):
    message = "Only the staff of this course can do this."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return access.is_staff_of_course(request.user, course_id_of(obj))


class IsAttemptOwner(permissions.BasePermission):
    message = "Only the student who started this attempt can change it."

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(request.user.is_authenticated and obj.student_id == request.user.pk)


def require(request: Request, permission: type[permissions.BasePermission], obj: Any) -> None:
    """Check an object permission outside DRF's get_object() (a parent object, a body's section)."""
    checker = permission()
    if not checker.has_object_permission(request, None, obj):
        raise exceptions.PermissionDenied(checker.message)
