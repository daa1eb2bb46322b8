"""Chunk leases: a dead worker's chunk is handed to another worker within seconds, not minutes.

The task that takes a chunk becomes its owner (worker node, process id, task id) for
`GRADING_LEASE_SECONDS` (20 s) and renews the lease while it scores (`Lease.renew`, at most every
few seconds: one UPDATE guarded by the owner). The sweeper (beat, every
`GRADING_LEASE_SWEEP_SECONDS`, `jobs.chunks_reclaim`) takes back every lease that expired, which
is what a killed or frozen worker leaves behind, and sends the chunk again; another worker takes it.

Safe take-over:
- a worker that renews is never robbed: the sweeper only takes leases that expired;
- the write is fenced: in the transaction that writes the grades, under the answers' row locks,
  the owner marks its chunk done with one UPDATE guarded by its task id (`Lease.finish`). An old
  owner whose lease was taken back (it was frozen, or too slow to renew) updates nothing and
  writes nothing; the new owner grades the chunk. The row locks, the re-read of current grades and
  the unique index on current grades hold exactly-once on their own; the fence adds that a lost
  owner does not even race the new one;
- a message delivered again with the same task id (its pool process died: `acks_late` +
  `task_reject_on_worker_lost`) takes its chunk back at once, without waiting for the lease.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import GradingChunk, GradingJob

LEASE_SECONDS_DEFAULT = 20.0


def lease_seconds() -> float:
    return float(getattr(settings, "GRADING_LEASE_SECONDS", LEASE_SECONDS_DEFAULT))


class LeaseLost(Exception):
    """The chunk's lease was taken back (expired and handed to another worker): stop, write nothing."""


@dataclass
class Lease:
    """A task's hold on a chunk. `renew` is cheap to call often: it queries at most every
    lease/5 seconds."""

    chunk_id: int
    task_id: str
    seconds: float = field(default_factory=lease_seconds)
    renewed: float = field(default_factory=time.monotonic)

    def _mine(self) -> QuerySet[GradingChunk]:
        return GradingChunk.objects.filter(pk=self.chunk_id, task_id=self.task_id, status=GradingChunk.Status.RUNNING)

    def renew(self, *, force: bool = False) -> None:
        """Push the lease's expiry on; raise LeaseLost if it is no longer ours."""
        if not force and time.monotonic() - self.renewed < self.seconds / 5:
            return
        expires = timezone.now() + timedelta(seconds=self.seconds)
        if not self._mine().update(lease_expires_at=expires):
            raise LeaseLost(f"chunk {self.chunk_id}: lease taken back")
        self.renewed = time.monotonic()

    def finish(self) -> bool:
        """The fence, called inside the transaction that writes the chunk's grades: mark the chunk
        done if it is still ours (the row stays locked until that transaction commits, so the
        sweeper cannot take it meanwhile). False: not ours any more, write nothing."""
        return bool(self._mine().update(status=GradingChunk.Status.DONE, finished_at=timezone.now()))


def work_key(answer_ids: Sequence[int]) -> str:
    """A short stable name for a chunk's answers (their order does not matter)."""
    digest = hashlib.blake2s(",".join(map(str, sorted(answer_ids))).encode(), digest_size=8).hexdigest()
    return f"chunk-{digest}"


def chunks_register(job: GradingJob, chunks: Sequence[Sequence[int]]) -> None:
    """Record a job's planned chunks (queued, no owner) before their messages are sent (one query)."""
    GradingChunk.objects.bulk_create(
        [GradingChunk(job=job, key=work_key(ids), answer_ids=list(ids)) for ids in chunks], ignore_conflicts=True
    )


@dataclass(frozen=True)
class Refusal:
    """Why a task did not take a chunk: `done` (graded already) or `busy` (a live owner has it)."""

    reason: str
    owner: str = ""


def chunk_take(
    job: GradingJob, answer_ids: Sequence[int], *, task_id: str, worker: str, now: datetime | None = None
) -> Lease | Refusal:
    """Take a chunk's lease for task `task_id`: a queued chunk, one whose lease expired, or one this
    same message held before (redelivered after its pool process died). Two queries."""
    now = now or timezone.now()
    chunk, _ = GradingChunk.objects.get_or_create(
        job=job, key=work_key(answer_ids), defaults={"answer_ids": list(answer_ids)}
    )
    takeable = (
        Q(status=GradingChunk.Status.QUEUED)
        | Q(status=GradingChunk.Status.RUNNING, lease_expires_at__lt=now)
        | Q(status=GradingChunk.Status.RUNNING, task_id=task_id)
    )
    seconds = lease_seconds()
    taken = GradingChunk.objects.filter(takeable, pk=chunk.pk).update(
        status=GradingChunk.Status.RUNNING,
        owner=f"{worker}:{os.getpid()}"[:200],
        task_id=task_id,
        taken_at=now,
        lease_expires_at=now + timedelta(seconds=seconds),
    )
    if taken:
        return Lease(chunk.pk, task_id, seconds)
    chunk.refresh_from_db(fields=["status", "owner"])
    return Refusal("done" if chunk.status == GradingChunk.Status.DONE else "busy", chunk.owner)


@dataclass(frozen=True)
class TakenBack:
    chunk_id: int
    job_id: int
    answer_ids: list[int]
    owner: str
    times: int  # how many times this chunk's lease has now been taken back


def leases_take_back(*, now: datetime | None = None) -> list[TakenBack]:
    """Take back every lease that expired: the chunk is queued again, without an owner. One
    SELECT on a partial index when nothing expired. A lease whose owner is inside its fenced write
    (the row is locked) is skipped: that owner is finishing."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            GradingChunk.objects.filter(status=GradingChunk.Status.RUNNING, lease_expires_at__lt=now)
            .select_for_update(skip_locked=True)
            .values_list("pk", "job_id", "answer_ids", "owner", "takeovers")
        )
        if expired:
            GradingChunk.objects.filter(pk__in=[row[0] for row in expired]).update(
                status=GradingChunk.Status.QUEUED, task_id="", lease_expires_at=None, takeovers=F("takeovers") + 1
            )
    return [TakenBack(pk, job_id, ids, owner, times + 1) for pk, job_id, ids, owner, times in expired]


def chunk_set_aside(chunk_id: int) -> None:
    """A chunk dead-lettered after too many take-overs: nobody takes it again."""
    GradingChunk.objects.filter(pk=chunk_id).update(status=GradingChunk.Status.DONE, finished_at=timezone.now())
