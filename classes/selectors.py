"""Reads for classes: a person's sections with their counts, a section's roster."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User

from . import policy
from .models import Enrollment, Section


def sections_taught(user: User) -> QuerySet[Section]:
    """Sections where the user is staff, with student / assistant / assignment counts (one query)."""
    return (
        policy.sections_staffed(user)
        .select_related("course")
        .annotate(
            students=Count("enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT), distinct=True),
            assistants=Count("enrollments", filter=Q(enrollments__role=Enrollment.Role.ASSISTANT), distinct=True),
            assignment_count=Count("assignments", distinct=True),
        )
        .order_by("course__title", "term", "name")
    )


def roster(section: Section) -> list[Enrollment]:
    return list(Enrollment.objects.filter(section=section).select_related("user").order_by("role", "user__username"))
