"""Writes of the instructor's path: building quizzes and assigning them to sections.

`actor` is the person acting, checked against `classes.policy` before anything is written (None:
the platform itself, e.g. the demo seed or a benchmark, which the policy does not restrict).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bank.models import Chapter, Course, Question
from classes import policy
from classes.models import Enrollment, Section
from common.queueing import send_task

from .errors import QuizHasAttempts
from .models import Assignment, Attempt, Extension, Quiz, QuizItem, ReleasePolicy


@dataclass(frozen=True)
class ItemSpec:
    """A fixed question, or `draw` questions at random from `chapter`."""

    question: Question | None = None
    chapter: Chapter | None = None
    draw: int = 1
    points: Decimal | None = None


def _create_items(quiz: Quiz, items: list[ItemSpec]) -> None:
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, position=i, question=s.question, chapter=s.chapter, draw_count=s.draw, points=s.points)
        for i, s in enumerate(items, start=1)
    )


@transaction.atomic
def quiz_create(*, course: Course, title: str, items: list[ItemSpec], actor: User | None = None) -> Quiz:
    if actor is not None:
        policy.quiz_create(actor, course)
    quiz = Quiz.objects.create(course=course, title=title, created_by=actor)
    _create_items(quiz, items)
    return quiz


def quiz_has_attempts(quiz: Quiz) -> bool:
    """Whether a student has started the quiz in any assignment: from then on it stays as they saw it."""
    return Attempt.objects.filter(assignment__quiz=quiz).exists()


@transaction.atomic
def quiz_update(*, quiz: Quiz, title: str, items: list[ItemSpec], actor: User | None = None) -> Quiz:
    """Replace a quiz's title and items (questions, points, draws, order), while nobody has started it.

    Editing is building (`policy.quiz_create` in the quiz's course). Two edits of one quiz run one
    after the other (the quiz row is locked). An attempt started meanwhile keeps the questions it
    drew (they are frozen into the attempt), so the check cannot hurt a student; once one exists
    the quiz is refused with `QuizHasAttempts` and the instructor edits a copy (`quiz_copy`).
    """
    if actor is not None:
        policy.quiz_create(actor, quiz.course)
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    if quiz_has_attempts(quiz):
        raise QuizHasAttempts(_("This quiz has attempts: edit a copy."))
    quiz.title = title
    quiz.save(update_fields=["title"])
    quiz.items.all().delete()
    _create_items(quiz, items)
    return quiz


@transaction.atomic
def quiz_copy(*, quiz: Quiz, actor: User | None = None) -> Quiz:
    """A new quiz with the same items, for changing a quiz students have already started."""
    if actor is not None:
        policy.quiz_create(actor, quiz.course)
    items = [
        ItemSpec(question=i.question, chapter=i.chapter, draw=i.draw_count, points=i.points)
        for i in quiz.items.select_related("question", "chapter").order_by("position")
    ]
    title = _("%(title)s (copy)") % {"title": quiz.title}
    copy = Quiz.objects.create(
        course_id=quiz.course_id, title=title[:300], description=quiz.description, created_by=actor
    )
    _create_items(copy, items)
    return copy


def assignment_create(
    *,
    quiz: Quiz,
    section: Section,
    opens_at: datetime,
    closes_at: datetime,
    time_limit: timedelta | None = None,
    max_attempts: int = 1,
    grace_period: timedelta = timedelta(0),
    release_policy: str = ReleasePolicy.AFTER_CLOSE,
    title: str = "",
    shuffle_questions: bool = False,
    shuffle_choices: bool = False,
    actor: User | None = None,
) -> Assignment:
    if actor is not None:
        policy.assignment_create(actor, section)
    assignment = Assignment(
        quiz=quiz,
        section=section,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit=time_limit,
        max_attempts=max_attempts,
        grace_period=grace_period,
        release_policy=release_policy,
        shuffle_questions=shuffle_questions,
        shuffle_choices=shuffle_choices,
        created_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def extension_grant(
    *,
    assignment: Assignment,
    student: User,
    extra_time: timedelta | None = None,
    closes_at: datetime | None = None,
    actor: User | None = None,
) -> Extension:
    """Give one student extra time and/or a later close; granting again replaces the extension.

    An attempt already in progress keeps the deadline it started with; the extension applies to
    attempts started afterwards (the service that starts attempts reads it).
    """
    if actor is not None:
        policy.assignment_extend(actor, assignment)
    if extra_time is None and closes_at is None:
        raise ValidationError(_("Give extra time, a later close, or both."))
    if extra_time is not None and extra_time <= timedelta(0):
        raise ValidationError(_("The extra time must be positive."))
    if closes_at is not None and closes_at <= assignment.closes_at:
        raise ValidationError(_("The student's close must be later than the assignment's."))
    if not Enrollment.objects.filter(
        section_id=assignment.section_id, user=student, role=Enrollment.Role.STUDENT
    ).exists():
        raise ValidationError(_("%(who)s is not a student of this section.") % {"who": student})
    extension, _created = Extension.objects.update_or_create(
        assignment=assignment,
        student=student,
        defaults={"extra_time": extra_time, "closes_at": closes_at, "granted_by": actor},
    )
    return extension


def extension_revoke(*, assignment: Assignment, student_id: int, actor: User | None = None) -> None:
    if actor is not None:
        policy.assignment_extend(actor, assignment)
    Extension.objects.filter(assignment=assignment, student_id=student_id).delete()


# The shuffle settings apply to attempts started afterwards: an attempt keeps the order it started with.
# The API's assignment serializers list exactly these fields (quizzes/api/assignments.py).
ASSIGNMENT_EDITABLE = (
    "title",
    "opens_at",
    "closes_at",
    "time_limit",
    "max_attempts",
    "grace_period",
    "release_policy",
    "released_at",
    "shuffle_questions",
    "shuffle_choices",
)


@transaction.atomic
def assignment_update(*, assignment: Assignment, actor: User | None = None, **changes: object) -> Assignment:
    """Change an assignment's window or rules (not its quiz or section). Validated as a whole.

    Attempts already in progress keep the deadline they started with.
    """
    if actor is not None:
        policy.assignment_change(actor, assignment)
    unknown = set(changes).difference(ASSIGNMENT_EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save(update_fields=[*changes] if changes else None)
    return assignment


# Sent after a release: the LMS app sends the released scores to the activities' gradebooks.
RESULTS_RELEASED = "lti.tasks.passback_assignment"


def results_release(*, assignment: Assignment, actor: User | None = None, now: datetime | None = None) -> Assignment:
    """Release the results of a `manual` assignment to its students (from now on). Releasing again
    keeps the first release time; other policies release by themselves, so they are refused.
    Scores only: what reveals the key still waits for the release rule (`quizzes.release`)."""
    if actor is not None:
        policy.assignment_release(actor, assignment)
    if assignment.release_policy != ReleasePolicy.MANUAL:
        raise ValidationError(
            _("Results of this assignment are released automatically (%(policy)s).")
            % {"policy": ReleasePolicy(assignment.release_policy).label}
        )
    if assignment.released_at is not None:
        return assignment
    released = assignment_update(assignment=assignment, released_at=now or timezone.now())
    # The released scores go to the LMS gradebook of activities linked to it (by name: the LMS
    # app is above quizzes; the beat's sweep sends them anyway if this message is lost).
    transaction.on_commit(
        lambda: send_task(RESULTS_RELEASED, [released.pk], f"results_released assignment={released.pk}")
    )
    return released
