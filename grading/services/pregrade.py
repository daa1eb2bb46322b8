"""Pre-grading during the window: free-text answers that stopped changing are scored ahead of the
close, on the low-priority `pregrade` queue, into the score cache only.

Why a periodic tick (beat, every GRADING_PREGRADE_EVERY seconds) rather than an enqueue per
autosave: the autosave stays exactly as cheap as it is (no broker call, no extra query, nothing
for the portal to wait on), "stable for a minute" is a property of time passing, which a save
cannot observe, and one tick serves every answer of every exam with one indexed query, whereas
per-save messages would be thousands, almost all for answers that change again within seconds.

What a tick does (`answers_pregrade`):
- yields to real grading: nothing while any grading job is queued or running (heartbeat within
  STALL_AFTER), so pre-grading only uses a worker that has nothing better to do;
- one tick at a time in the whole deployment: the cursor row is locked (`SKIP LOCKED`; a second
  tick that finds it locked returns at once);
- takes at most GRADING_PREGRADE_BATCH answers that became stable (not saved for
  GRADING_PREGRADE_AFTER seconds) since the cursor, oldest first, and scores them through
  `writing.score_answers`, the same path as the real grading: responses already in the cache cost
  a lookup, the others are scored and stored there. Nothing else is written: no Grade, no job,
  nothing any student or staff page reads. The task's Celery rate limit caps the ticks per worker.
- stops at the close: only answers of attempts in progress in an open window are taken
  (`selectors.pregrade_candidates`), and a tick's message expires before the next one.

An answer changed after it was pre-graded has a new normalised response, hence a new digest: the
close scores it fresh (or a later tick pre-grades the new text once it is stable again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import GradingJob, PregradeCursor
from ..selectors.pregrade import pregrade_candidates
from .jobs import STALL_AFTER
from .writing import _load_questions, score_answers

logger = logging.getLogger("grading.jobs")


@dataclass(frozen=True)
class PregradeOutcome:
    examined: int = 0
    scored: int = 0  # distinct responses the engine scored
    from_cache: int = 0
    skipped: str = ""  # why nothing was done: "grading" (real grading has work), "busy" (another tick)


def answers_pregrade(*, now: datetime | None = None) -> PregradeOutcome:
    """One pre-grading tick (see the module's docstring)."""
    now = now or timezone.now()
    grading = GradingJob.objects.filter(
        status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING], updated_at__gte=now - STALL_AFTER
    )
    if grading.exists():
        return PregradeOutcome(skipped="grading")
    PregradeCursor.objects.get_or_create(pk=1)
    with transaction.atomic():
        cursor = PregradeCursor.objects.select_for_update(skip_locked=True).filter(pk=1).first()
        if cursor is None:
            return PregradeOutcome(skipped="busy")
        answers = list(
            pregrade_candidates(
                now=now,
                stable_for=timedelta(seconds=settings.GRADING_PREGRADE_AFTER),
                after=(cursor.saved_at, cursor.answer_id),
            )[: settings.GRADING_PREGRADE_BATCH]
        )
        if not answers:
            return PregradeOutcome()
        scoring = score_answers(answers, _load_questions({a.question_id for a in answers}))
        cursor.saved_at, cursor.answer_id = answers[-1].saved_at, answers[-1].pk
        cursor.save(update_fields=["saved_at", "answer_id", "updated_at"])
    outcome = PregradeOutcome(examined=len(answers), scored=scoring.scored, from_cache=scoring.from_cache)
    logger.info(
        "pregrade answers=%s scored=%s from_cache=%s failed=%s",
        outcome.examined,
        outcome.scored,
        outcome.from_cache,
        len(scoring.failed),
    )
    return outcome
