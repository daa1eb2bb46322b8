"""Reads for the portal and the API: what a student may see, fetched in a bounded number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from bank.models import Question
from classes import policy
from classes.models import Enrollment, Section

from .models import Answer, Assignment, Attempt, Extension, Quiz, QuizItem


def student_sections(user: User) -> QuerySet[Section]:
    """The classes the person studies in, for the dashboard's "my classes"."""
    return policy.sections_of(user, roles=(Enrollment.Role.STUDENT,)).select_related("course").order_by("name")


@dataclass
class StudentAssignments:
    open: list[Assignment]
    upcoming: list[Assignment]
    closed: list[Assignment]


def student_assignments(user: User, now: datetime, *, attempts: QuerySet[Attempt] | None = None) -> StudentAssignments:
    """The student's assignments, open / upcoming / closed for them, each with `my_attempts` (from
    `attempts`, e.g. annotated by grading for the release rule) and `attempts_used`."""
    assignments = (
        Assignment.objects.filter(section__enrollments__user=user, section__enrollments__role=Enrollment.Role.STUDENT)
        .select_related("quiz", "section")
        .annotate(
            attempts_used=Count("attempts", filter=Q(attempts__student=user), distinct=True),
            # what the release rule reads (quizzes.windows.answerable_until), loaded with the list
            latest_running_deadline=Max("attempts__deadline", filter=Q(attempts__status=Attempt.Status.IN_PROGRESS)),
        )
        .prefetch_related(
            Prefetch(
                "attempts",
                queryset=(attempts if attempts is not None else Attempt.objects.all())
                .filter(student=user)
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


@dataclass(frozen=True)
class StartState:
    """May the student start? The one rule the dashboard and the start page show (the service,
    `attempt_start`, enforces it again under a lock)."""

    is_open: bool  # open for this student now (an extension moves their close)
    in_progress: Attempt | None
    attempts_left: int

    @property
    def may_start(self) -> bool:
        """A new attempt: open, none in progress, an attempt left (the dashboard's Start button)."""
        return self.is_open and self.in_progress is None and self.attempts_left > 0

    @property
    def may_enter(self) -> bool:
        """The start page's button: start a new attempt, or continue the one in progress."""
        return self.is_open and (self.in_progress is not None or self.attempts_left > 0)


def start_state(assignment: Assignment, attempts: list[Attempt], now: datetime) -> StartState:
    """`attempts`: the student's attempts at the assignment (all of them, any status)."""
    in_progress = next((a for a in attempts if a.status == Attempt.Status.IN_PROGRESS), None)
    return StartState(
        is_open=open_for_student(assignment, now),
        in_progress=in_progress,
        attempts_left=max(0, assignment.max_attempts - len(attempts)),
    )


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


def attempt_questions(attempt: Attempt) -> dict[int, Question]:
    """The attempt's questions by id, with their choices (two queries). They are frozen when the
    attempt starts, so a copy read before the attempt's row lock is still right under it."""
    return {
        aq.question_id: aq.question
        for aq in attempt.attempt_questions.select_related("question").prefetch_related("question__choices")
    }


def assignment_question_count(assignment: Assignment) -> int:
    """How many questions an attempt at the assignment holds (fixed items plus random draws)."""
    counted = QuizItem.objects.filter(quiz_id=assignment.quiz_id).aggregate(
        fixed=Count("pk", filter=Q(question__isnull=False)),
        drawn=Coalesce(Sum("draw_count", filter=Q(question__isnull=True)), 0),
    )
    return counted["fixed"] + counted["drawn"]


def student_attempts_at(assignment: Assignment, user: User) -> list[Attempt]:
    """The user's own attempts at one assignment, oldest first."""
    return list(Attempt.objects.filter(assignment=assignment, student=user).order_by("number"))


def response_is_empty(answer: Answer | None) -> bool:
    return answer is None or answer.response in (None, "", [])


def quiz_points(quiz: Quiz) -> Decimal | None:
    """The most a quiz's attempt can score (each item's points, or its questions' own), or None
    when a random draw's questions have points of their own that differ from one draw to the next."""
    total = Decimal(0)
    for item in quiz.items.select_related("question", "chapter"):
        if item.points is not None:
            total += item.points * (1 if item.question_id else item.draw_count)
        elif item.question is not None:
            total += item.question.points
        else:
            drawn = set(item.chapter.questions.values_list("points", flat=True))  # type: ignore[union-attr]
            if len(drawn) != 1:
                return None
            total += drawn.pop() * item.draw_count
    return total
