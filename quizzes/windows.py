"""When anyone can still answer: an assignment (its close, every student's extension, every attempt
still running, plus grace) and a bank question (every assignment that uses it, in any section of
the course, through a fixed quiz item, a random draw from its chapter, or a running attempt that
drew it). The release rule (`grading.release`) waits for these moments before it shows what
reveals an answer key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Max, Q, QuerySet

from bank.models import Question

from .models import Assignment, Attempt, AttemptQuestion, QuizItem

_UNSET = object()


def _latest_running_deadline() -> Max:
    """Annotation: the latest deadline of the assignment's attempts still in progress."""
    return Max("attempts__deadline", filter=Q(attempts__status=Attempt.Status.IN_PROGRESS))


def with_answer_window(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """The queryset with what `answerable_until` reads, so a list costs no query per assignment."""
    return assignments.annotate(latest_running_deadline=_latest_running_deadline()).prefetch_related("extensions")


def answerable_until(assignment: Assignment) -> datetime:
    """The last moment anyone can still save an answer to the assignment: the latest of its close,
    each student's extended close and each running attempt's deadline, plus the grace period.

    Running attempts count because they keep the deadline they started with when the close is
    moved earlier or an extension is revoked. Uses `with_answer_window` when the assignment was
    loaded with it; otherwise two queries.
    """
    moments = [assignment.closes_at, *(assignment.close_for(ext) for ext in assignment.extensions.all())]
    running: Any = getattr(assignment, "latest_running_deadline", _UNSET)
    if running is _UNSET:
        running = assignment.attempts.filter(status=Attempt.Status.IN_PROGRESS).aggregate(latest=Max("deadline"))[
            "latest"
        ]
    if running is not None:
        moments.append(running)
    return max(moments) + assignment.grace_period


def questions_answerable_until(questions: Iterable[Question]) -> dict[int, datetime]:
    """For each question, the last moment anyone can still answer an assignment that uses it.

    Four queries whatever the number of questions and assignments. A question no assignment uses
    any more (and no running attempt holds) is absent: nothing keeps its key hidden.
    """
    questions = list(questions)
    ids = {q.pk for q in questions}
    by_chapter: dict[int, set[int]] = defaultdict(set)
    for question in questions:
        by_chapter[question.chapter_id].add(question.pk)
    uses: dict[int, set[int]] = defaultdict(set)  # quiz -> the given questions it holds or may draw
    items = QuizItem.objects.filter(Q(question_id__in=ids) | Q(question__isnull=True, chapter_id__in=by_chapter))
    for quiz_id, question_id, chapter_id in items.values_list("quiz_id", "question_id", "chapter_id"):
        uses[quiz_id] |= {question_id} if question_id else by_chapter[chapter_id]
    until: dict[int, datetime] = {}

    def later(question_id: int, moment: datetime) -> None:
        until[question_id] = max(until.get(question_id, moment), moment)

    for assignment in with_answer_window(Assignment.objects.filter(quiz_id__in=uses)):
        moment = answerable_until(assignment)
        for question_id in uses[assignment.quiz_id]:
            later(question_id, moment)
    running = AttemptQuestion.objects.filter(question_id__in=ids, attempt__status=Attempt.Status.IN_PROGRESS)
    for question_id, deadline, grace in running.values_list(
        "question_id", "attempt__deadline", "attempt__assignment__grace_period"
    ):
        later(question_id, deadline + grace)
    return until
