"""Reads of grading state shared by the portal, the API and the workers."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from quizzes.models import Attempt

from .models import GradingJob

# An attempt submitted longer ago than this without a finished grading job was probably lost
# (broker down at submit time, a message dropped): the sweeper enqueues it again.
SWEEP_AFTER = timedelta(minutes=3)


def attempts_awaiting_grading(*, older_than: timedelta = SWEEP_AFTER) -> list[int]:
    cutoff = timezone.now() - older_than
    finished = GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, status=GradingJob.Status.DONE)
    return list(
        Attempt.objects.filter(
            Q(status=Attempt.Status.SUBMITTED) | Q(status=Attempt.Status.AUTO_SUBMITTED),
            submitted_at__lt=cutoff,
        )
        .exclude(pk__in=finished.values("attempt_id"))
        .values_list("pk", flat=True)
    )
