"""What pre-grading looks at: free-text answers of open attempts that have stopped changing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from bank.models import QuestionKind
from quizzes.models import Answer, Attempt


def pregrade_candidates(
    *, now: datetime, stable_for: timedelta, after: tuple[datetime | None, int] = (None, 0)
) -> QuerySet[Answer]:
    """Free-text answers, not blank, of attempts still in progress in a window still open, saved
    last at least `stable_for` ago and after the cursor `after` (saved_at, id), oldest first.

    Nothing of a closed window or a submitted attempt: after the close the real grading takes
    over (and finds the scores pre-grading left in the cache)."""
    answers = Answer.objects.filter(
        attempt__status=Attempt.Status.IN_PROGRESS,
        attempt__deadline__gt=now,
        attempt__assignment__closes_at__gt=now,
        question__kind=QuestionKind.FREE_TEXT,
        saved_at__lte=now - stable_for,
    ).exclude(Q(response__isnull=True) | Q(response=""))
    saved_at, answer_id = after
    if saved_at is not None:
        answers = answers.filter(Q(saved_at__gt=saved_at) | Q(saved_at=saved_at, pk__gt=answer_id))
    return answers.order_by("saved_at", "pk")
