"""What the portal and the API show of a student's graded work: the attempt's questions with
their answers and current grades, its total, and whether the engine has graded it all. The
portal's pages (`quizzes.views`) and `grading.api` call these; quizzes itself never reads grades.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet, Sum

from quizzes.models import Answer, Attempt, AttemptQuestion

from ..models import Grade


def _answers_without_grade() -> QuerySet[Answer]:
    """Answers of the outer attempt that have no current grade yet (for Exists / filter)."""
    current = Grade.objects.filter(answer=OuterRef("pk"), is_current=True)
    return Answer.objects.filter(attempt=OuterRef("pk")).exclude(Exists(current))


def with_engine_done(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """The attempts annotated with `engine_done` (every answer has a current grade), which
    `attempt_grading_done` reads instead of a query per attempt."""
    return attempts.annotate(engine_done=~Exists(_answers_without_grade()))


def attempt_grading_done(attempt: Attempt) -> bool:
    """The engine has graded every answer of a submitted attempt (some may wait for a person).

    Uses the `engine_done` annotation when the attempt was loaded `with_engine_done`; otherwise
    one query.
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


@dataclass
class AttemptRow:
    item: AttemptQuestion
    answer: Answer | None
    grade: Grade | None


def attempt_rows(attempt: Attempt) -> list[AttemptRow]:
    """The attempt's questions in order, each with the student's answer and its current grade."""
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


def attempt_total(rows: list[AttemptRow]) -> tuple[Decimal, Decimal]:
    score = sum((r.grade.score for r in rows if r.grade and r.grade.score is not None), Decimal(0))
    return score, sum((r.item.points for r in rows), Decimal(0))


@dataclass(frozen=True)
class AttemptScore:
    score: Decimal
    max_score: Decimal
    changed_at: datetime | None  # when its latest current grade was made: what a gradebook orders scores by


def attempt_score(attempt_id: int) -> AttemptScore:
    """The attempt's total over its current grades, out of its questions' points (two queries)."""
    grades = Grade.objects.filter(answer__attempt_id=attempt_id, is_current=True).aggregate(
        score=Sum("score"), changed_at=Max("created_at")
    )
    top = AttemptQuestion.objects.filter(attempt_id=attempt_id).aggregate(points=Sum("points"))["points"]
    return AttemptScore(grades["score"] or Decimal(0), top or Decimal(0), grades["changed_at"])
