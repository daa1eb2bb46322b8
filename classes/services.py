"""Writes for classes: sections and who is enrolled in them in which role."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from quizzes.models import Course

from .models import Enrollment, Section


def section_create(*, course: Course, name: str, term: str = "", time_zone: str = "UTC") -> Section:
    section = Section(course=course, name=name, term=term, time_zone=time_zone)
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def enrollment_add(*, section: Section, user: User, role: str = Enrollment.Role.STUDENT) -> Enrollment:
    """Enrol `user`, or change their role if they are already in the section."""
    enrollment, _ = Enrollment.objects.update_or_create(section=section, user=user, defaults={"role": role})
    return enrollment
