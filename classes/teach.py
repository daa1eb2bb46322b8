"""Permission gates of the instructor workspace (/teach/), built on `classes.access`.

Every teach view loads its object through one of these: someone who is not staff of the section
(an instructor of another section, a student, a stranger) gets 404, so the page does not even
confirm the object exists; an assistant asking to change what only instructors may change gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from quizzes.models import Answer, Assignment

from . import access
from .models import Section


def staff_section(request: HttpRequest, section_id: int, *, change: bool = False) -> Section:
    section = Section.objects.select_related("course").filter(pk=section_id).first()
    if section is None or not access.is_staff_of(request.user, section.pk):
        raise Http404("No such section.")
    if change and not access.is_instructor_of(request.user, section.pk):
        raise PermissionDenied("Only the section's instructors may change this.")
    return section


def staff_assignment(request: HttpRequest, assignment_id: int, *, change: bool = False) -> Assignment:
    assignment = Assignment.objects.select_related("quiz", "section__course").filter(pk=assignment_id).first()
    if assignment is None or not access.is_staff_of(request.user, assignment.section_id):
        raise Http404("No such assignment.")
    if change and not access.is_instructor_of(request.user, assignment.section_id):
        raise PermissionDenied("Only the section's instructors may change assignments.")
    return assignment


def staff_answer(request: HttpRequest, answer_id: int) -> Answer:
    answer = (
        Answer.objects.select_related("attempt__assignment__section", "attempt__student", "question__chapter")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None or not access.is_staff_of(request.user, answer.attempt.assignment.section_id):
        raise Http404("No such answer.")
    return answer
