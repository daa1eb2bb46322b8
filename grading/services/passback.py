"""The life of a score sent to a gradebook outside Classroom (`ScorePassback`). The sending (the
protocol, the HTTP) is the caller's (`lti.ags`); this module keeps the record honest:

- `passback_prepare`: the score an attempt should have there now; a record already sent with that
  score is left alone, so preparing twice sends once;
- `passback_claim`: the record to send, locked (FOR UPDATE) for the duration of the send, so two
  workers never send one record at once; None when it has nothing to send;
- `passback_sent` / `passback_failed`: the outcome, with the error kept.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..models import ScorePassback

ERROR_MAX = 2000  # characters of an error kept on the record (a gateway's HTML page can be long)


@transaction.atomic
def passback_prepare(
    *, attempt_id: int, target: str, score: Decimal, max_score: Decimal, graded_at: datetime
) -> ScorePassback | None:
    """The record to send for `attempt_id` to `target`, or None when the gradebook has this score."""
    record, created = ScorePassback.objects.select_for_update().get_or_create(
        attempt_id=attempt_id,
        target=target,
        defaults={"score": score, "max_score": max_score, "graded_at": graded_at},
    )
    if created:
        return record
    unchanged = record.score == score and record.max_score == max_score
    if unchanged and record.status == ScorePassback.Status.SENT:
        return None
    if unchanged and record.status == ScorePassback.Status.FAILED and record.graded_at == graded_at:
        return None  # refused for good (4xx): the same score would be refused again; a new grade retries
    record.score, record.max_score, record.graded_at = score, max_score, graded_at
    record.status, record.tries, record.last_error = ScorePassback.Status.PENDING, 0, ""
    record.save(update_fields=["score", "max_score", "graded_at", "status", "tries", "last_error", "updated_at"])
    return record


def passback_claim(passback_id: int) -> ScorePassback | None:
    """Called inside the caller's transaction, which holds the row lock until it ends."""
    return (
        ScorePassback.objects.select_for_update()
        .select_related("attempt")
        .filter(pk=passback_id, status=ScorePassback.Status.PENDING)
        .first()
    )


def passback_sent(record: ScorePassback, *, now: datetime | None = None) -> None:
    record.status, record.sent_score, record.sent_at = ScorePassback.Status.SENT, record.score, now or timezone.now()
    record.tries += 1
    record.last_error = ""
    record.save(update_fields=["status", "sent_score", "sent_at", "tries", "last_error", "updated_at"])


def passback_failed(record: ScorePassback, error: str, *, final: bool) -> None:
    """A try that failed: `final` (refused, or out of retries) marks it failed, else it stays pending."""
    record.tries += 1
    record.last_error = error[:ERROR_MAX]
    if final:
        record.status = ScorePassback.Status.FAILED
    record.save(update_fields=["status", "tries", "last_error", "updated_at"])


def passback_give_up(passback_id: int, error: str) -> None:
    """Retries exhausted (the task's dead letter): the record says so, with the last error."""
    ScorePassback.objects.filter(pk=passback_id, status=ScorePassback.Status.PENDING).update(
        status=ScorePassback.Status.FAILED, last_error=error[:ERROR_MAX], updated_at=timezone.now()
    )
