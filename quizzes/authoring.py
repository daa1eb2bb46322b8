"""Writes of the instructor's path: building quizzes and assigning them to sections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from accounts.models import User
from classes.models import Section
from grading.engine.rubric import propose_rubric
from grading.engine.types import RubricPoint as EnginePoint

from .models import Assignment, Chapter, Course, Question, QuestionKind, Quiz, QuizItem, ReleasePolicy, RubricPoint


@dataclass(frozen=True)
class ItemSpec:
    """A fixed question, or `draw` questions at random from `chapter`."""

    question: Question | None = None
    chapter: Chapter | None = None
    draw: int = 1
    points: Decimal | None = None


@transaction.atomic
def quiz_create(*, course: Course, title: str, items: list[ItemSpec], created_by: User | None = None) -> Quiz:
    quiz = Quiz.objects.create(course=course, title=title, created_by=created_by)
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
    created_by: User | None = None,
) -> Assignment:
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
        created_by=created_by,
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
