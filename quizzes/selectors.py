"""Reads for the portal and the API: what a student may see, fetched in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from accounts.models import User
from classes.models import Enrollment
from grading.models import Grade

from .models import Answer, Assignment, Attempt, AttemptQuestion, ReleasePolicy


@dataclass
class StudentAssignments:
    open: list[Assignment]
    upcoming: list[Assignment]
    closed: list[Assignment]


def student_assignments(user: User, now: datetime) -> StudentAssignments:
    assignments = (
        Assignment.objects.filter(section__enrollments__user=user, section__enrollments__role=Enrollment.Role.STUDENT)
        .select_related("quiz", "section")
        .annotate(attempts_used=Count("attempts", filter=Q(attempts__student=user)))
        .prefetch_related(
            Prefetch(
                "attempts", queryset=Attempt.objects.filter(student=user).order_by("number"), to_attr="my_attempts"
            )
        )
        .order_by("closes_at")
    )
    grouped = StudentAssignments([], [], [])
    for assignment in assignments:
        if now < assignment.opens_at:
            grouped.upcoming.append(assignment)
        elif now < assignment.closes_at:
            grouped.open.append(assignment)
        else:
            grouped.closed.append(assignment)
    return grouped


def student_assignment(assignment_id: int, user: User) -> Assignment:
    assignment = (
        Assignment.objects.filter(
            pk=assignment_id, section__enrollments__user=user, section__enrollments__role=Enrollment.Role.STUDENT
        )
        .select_related("quiz", "section")
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def student_attempt(attempt_id: int, user: User) -> Attempt:
    """The attempt if it is the user's own; 404 otherwise (never reveal another student's work)."""
    attempt = (
        Attempt.objects.filter(pk=attempt_id, student=user)
        .select_related("assignment__quiz", "assignment__section")
        .first()
    )
    if attempt is None:
        raise Http404
    return attempt


@dataclass
class AttemptRow:
    item: AttemptQuestion
    answer: Answer | None
    grade: Grade | None


def attempt_rows(attempt: Attempt) -> list[AttemptRow]:
    items = list(
        attempt.attempt_questions.select_related("question").prefetch_related("question__choices").order_by("position")
    )
    answers = {
        a.question_id: a
        for a in attempt.answers.prefetch_related(
            Prefetch("grades", queryset=Grade.objects.filter(is_current=True), to_attr="current_grades")
        )
    }
    rows = []
    for item in items:
        answer = answers.get(item.question_id)
        grade = answer.current_grades[0] if answer and answer.current_grades else None
        rows.append(AttemptRow(item, answer, grade))
    return rows


def results_released(attempt: Attempt, now: datetime) -> bool:
    assignment = attempt.assignment
    if assignment.release_policy == ReleasePolicy.MANUAL:
        return assignment.released_at is not None and assignment.released_at <= now
    if attempt.status != Attempt.Status.GRADED:
        return False
    if assignment.release_policy == ReleasePolicy.AFTER_CLOSE:
        return now >= assignment.closes_at
    return True


def attempt_total(rows: list[AttemptRow]) -> tuple[Decimal, Decimal]:
    score = sum((r.grade.score for r in rows if r.grade and r.grade.score is not None), Decimal(0))
    return score, sum((r.item.points for r in rows), Decimal(0))
