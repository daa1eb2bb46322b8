"""Writes of the instructor's path: building quizzes and assigning them to sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from classes.models import Section

from .models import Assignment, Chapter, Course, Question, Quiz, QuizItem, ReleasePolicy


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
