"""Writes of the instructor's path: building quizzes and assigning them to sections.

`actor` is the person acting, checked against `classes.policy` before anything is written (None:
the platform itself, e.g. the demo seed or a benchmark, which the policy does not restrict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from classes import policy
from classes.models import Enrollment, Section
from grading.engine.rubric import propose_rubric
from grading.engine.types import RubricPoint as EnginePoint

from .models import (
    Assignment,
    Chapter,
    Course,
    Extension,
    Question,
    QuestionKind,
    Quiz,
    QuizItem,
    ReleasePolicy,
    RubricPoint,
)


@dataclass(frozen=True)
class ItemSpec:
    """A fixed question, or `draw` questions at random from `chapter`."""

    question: Question | None = None
    chapter: Chapter | None = None
    draw: int = 1
    points: Decimal | None = None


@transaction.atomic
def quiz_create(*, course: Course, title: str, items: list[ItemSpec], actor: User | None = None) -> Quiz:
    if actor is not None:
        policy.quiz_create(actor, course)
    quiz = Quiz.objects.create(course=course, title=title, created_by=actor)
    QuizItem.objects.bulk_create(
        QuizItem(quiz=quiz, position=i, question=s.question, chapter=s.chapter, draw_count=s.draw, points=s.points)
        for i, s in enumerate(items, start=1)
    )
    return quiz


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
        created_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


def question_key_changed(question: Question) -> None:
    """Raise the question's version: answers graded under the old key can now be regraded."""
    Question.objects.filter(pk=question.pk).update(version=F("version") + 1)
    question.refresh_from_db(fields=["version"])


@transaction.atomic
def rubric_replace(
    *, question: Question, points: Sequence[EnginePoint], proposed: bool = False, bump_version: bool = True
) -> bool:
    """Replace the question's rubric. A change to an existing rubric raises the question's version.

    Returns whether anything changed. `proposed` marks a rubric the platform proposed (it is
    re-proposed when the reference answer changes); a person's edit clears the mark.
    `bump_version=False` when the caller already raised the version for the same change.
    """
    old = [(p.text, p.weight, list(p.keywords)) for p in question.rubric_points.all()]
    new = [(p.text, float(p.weight), list(p.keywords)) for p in points]
    if old == new and question.rubric_is_proposed == proposed:
        return False
    question.rubric_points.all().delete()
    RubricPoint.objects.bulk_create(
        RubricPoint(question=question, text=p.text, weight=p.weight, keywords=list(p.keywords), position=i)
        for i, p in enumerate(points, start=1)
    )
    Question.objects.filter(pk=question.pk).update(rubric_is_proposed=proposed)
    question.rubric_is_proposed = proposed
    if old and old != new and bump_version:
        question_key_changed(question)
    return True


def rubric_propose(question: Question) -> bool:
    """Propose key points from the reference answer when the question has none, or only proposed ones.

    Never raises the version itself: a proposed rubric changes only with the reference answer,
    and changing that already raised it.
    """
    if question.kind != QuestionKind.FREE_TEXT or not question.reference_answer.strip():
        return False
    if question.rubric_points.exists() and not question.rubric_is_proposed:
        return False  # a person's rubric is never replaced
    points = propose_rubric(question.reference_answer, prompt=question.prompt, lang=question.language)
    if not points:
        return False
    return rubric_replace(question=question, points=points, proposed=True, bump_version=False)


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


ASSIGNMENT_EDITABLE = frozenset(
    {"title", "opens_at", "closes_at", "time_limit", "max_attempts", "grace_period", "release_policy", "released_at"}
)


@transaction.atomic
def assignment_update(*, assignment: Assignment, actor: User | None = None, **changes: object) -> Assignment:
    """Change an assignment's window or rules (not its quiz or section). Validated as a whole.

    Attempts already in progress keep the deadline they started with.
    """
    if actor is not None:
        policy.assignment_change(actor, assignment)
    unknown = set(changes) - ASSIGNMENT_EDITABLE
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save(update_fields=[*changes] if changes else None)
    return assignment


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
    return assignment_update(assignment=assignment, released_at=now or timezone.now())


def question_key_snapshot(question: Question) -> tuple:
    """What a question is graded against: when this changes, its version must be raised.

    The key is everything the grader reads to score an answer: the kind, the reference answer
    (outer whitespace ignored), the numeric value and tolerances, `min_items`, the choices with
    their correct flags (in order for true/false, where the first choice means "true"; as a set
    otherwise), the accepted answers with synonyms and regex flags, and the rubric points with
    weights and keywords. Not the key: the prompt (fixing a typo must not invalidate grades),
    points (each attempt keeps its own), language, focus, source marks, errata, placement.
    Reads the prefetched `choices`, `accepted_answers` and `rubric_points` when present.
    """
    choices = [(c.text.strip(), c.is_correct) for c in question.choices.all()]
    accepted = sorted((a.text.strip(), tuple(a.synonyms or ()), a.is_regex) for a in question.accepted_answers.all())
    rubric = sorted((p.text.strip(), float(p.weight), tuple(p.keywords or ())) for p in question.rubric_points.all())
    return (
        question.kind,
        (question.reference_answer or "").strip(),
        question.numeric_value,
        question.numeric_abs_tolerance,
        question.numeric_rel_tolerance,
        question.min_items,
        tuple(choices) if question.kind == QuestionKind.TRUE_FALSE else tuple(sorted(choices)),
        tuple(accepted),
        tuple(rubric),
    )


def question_edited(
    *, question: Question, key_before: tuple | None, reference_before: str | None, rubric_edited: bool
) -> bool:
    """After a person saved a question (and its choices, accepted answers, rubric) in one go:
    a rubric they edited becomes theirs (no longer re-proposed); otherwise a proposed rubric
    follows a changed reference answer; and the version is raised once if the key changed
    (`key_before` is None for a new question). Returns whether the key changed."""
    if rubric_edited:
        if question.rubric_is_proposed:
            Question.objects.filter(pk=question.pk).update(rubric_is_proposed=False)
            question.rubric_is_proposed = False
    elif key_before is None or reference_before != question.reference_answer:
        rubric_propose(_with_key(question.pk))
    if key_before is None or question_key_snapshot(_with_key(question.pk)) == key_before:
        return False
    question_key_changed(question)
    return True


def _with_key(question_id: int) -> Question:
    return Question.objects.prefetch_related("choices", "accepted_answers", "rubric_points").get(pk=question_id)
