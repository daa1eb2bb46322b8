"""Reads for the portal and the API: what a student may see, fetched in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from classes import policy
from classes.models import Enrollment, Section
from grading.models import Grade

from .models import Answer, Assignment, Attempt, AttemptQuestion, Extension, QuizItem


def _answers_without_grade() -> QuerySet[Answer]:
    """Answers of the outer attempt that have no current grade yet (for Exists / filter)."""
    current = Grade.objects.filter(answer=OuterRef("pk"), is_current=True)
    return Answer.objects.filter(attempt=OuterRef("pk")).exclude(Exists(current))


def student_sections(user: User) -> QuerySet[Section]:
    """The classes the person studies in, for the dashboard's "my classes"."""
    return policy.sections_of(user, roles=(Enrollment.Role.STUDENT,)).select_related("course").order_by("name")


@dataclass
class StudentAssignments:
    open: list[Assignment]
    upcoming: list[Assignment]
    closed: list[Assignment]


def student_assignments(user: User, now: datetime) -> StudentAssignments:
    assignments = (
        Assignment.objects.filter(section__enrollments__user=user, section__enrollments__role=Enrollment.Role.STUDENT)
        .select_related("quiz", "section")
        .annotate(
            attempts_used=Count("attempts", filter=Q(attempts__student=user), distinct=True),
            # what the release rule reads (quizzes.release.answerable_until), loaded with the list
            latest_running_deadline=Max("attempts__deadline", filter=Q(attempts__status=Attempt.Status.IN_PROGRESS)),
        )
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=Attempt.objects.filter(student=user)
                .annotate(engine_done=~Exists(_answers_without_grade()))
                .order_by("number"),
                to_attr="my_attempts",
            ),
            "extensions",  # everyone's: the release rule waits for them; the student's own moves their close
        )
        .order_by("closes_at")
    )
    grouped = StudentAssignments([], [], [])
    for assignment in assignments:
        mine = next((e for e in assignment.extensions.all() if e.student_id == user.pk), None)
        _set_close_for_student(assignment, mine)
        if now < assignment.opens_at:
            grouped.upcoming.append(assignment)
        elif now < assignment.closes_for_me:  # type: ignore[attr-defined]
            grouped.open.append(assignment)
        else:
            grouped.closed.append(assignment)
    return grouped


def _set_close_for_student(assignment: Assignment, extension: Extension | None) -> None:
    """`closes_for_me`: the window's close for this student (an extension moves it), and
    `extended`: whether it differs from the class's close. The portal shows and enforces these."""
    assignment.closes_for_me = assignment.close_for(extension)  # type: ignore[attr-defined]
    assignment.extended = assignment.closes_for_me != assignment.closes_at  # type: ignore[attr-defined]


def open_for_student(assignment: Assignment, now: datetime) -> bool:
    """Open for this student: after the opening and before their close (see student_assignment)."""
    return assignment.opens_at <= now < assignment.closes_for_me  # type: ignore[attr-defined]


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
    _set_close_for_student(assignment, Extension.objects.filter(assignment=assignment, student=user).first())
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


def assignment_question_count(assignment: Assignment) -> int:
    """How many questions an attempt at the assignment holds (fixed items plus random draws)."""
    counted = QuizItem.objects.filter(quiz_id=assignment.quiz_id).aggregate(
        fixed=Count("pk", filter=Q(question__isnull=False)),
        drawn=Coalesce(Sum("draw_count", filter=Q(question__isnull=True)), 0),
    )
    return counted["fixed"] + counted["drawn"]


def attempt_grading_done(attempt: Attempt) -> bool:
    """The engine has graded every answer of a submitted attempt (some may wait for a person).

    Uses the `engine_done` annotation when the attempt was loaded by `student_assignments`;
    otherwise one query.
    """
    if attempt.status == Attempt.Status.GRADED:
        return True
    if attempt.status == Attempt.Status.IN_PROGRESS:
        return False
    done = getattr(attempt, "engine_done", None)
    if done is None:
        done = (
            not Answer.objects.filter(attempt=attempt)
            .exclude(Exists(Grade.objects.filter(answer=OuterRef("pk"), is_current=True)))
            .exists()
        )
    return bool(done)


def attempt_total(rows: list[AttemptRow]) -> tuple[Decimal, Decimal]:
    score = sum((r.grade.score for r in rows if r.grade and r.grade.score is not None), Decimal(0))
    return score, sum((r.item.points for r in rows), Decimal(0))


def student_attempts_at(assignment: Assignment, user: User) -> list[Attempt]:
    """The user's own attempts at one assignment, oldest first."""
    return list(Attempt.objects.filter(assignment=assignment, student=user).order_by("number"))


def response_is_empty(answer: Answer | None) -> bool:
    return answer is None or answer.response in (None, "", [])
