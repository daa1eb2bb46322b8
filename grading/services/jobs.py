"""Grading jobs: per attempt on submit, per assignment when its window closes, per question on regrade.

A job's progress is derived from the database, never incremented: `done` is the number of answers
in the job's scope that carry a current grade for their question's current version. A chunk
delivered twice, two workers on one chunk, or a worker killed mid-chunk therefore cannot make the
counts wrong; re-running a job's plan only finds what is still ungraded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment, Attempt

from .. import queueing, selectors
from ..models import Grade, GradingChunk, GradingJob
from . import leases
from .leases import work_key
from .similarity import similarity_report_request, similarity_report_start_after_grading, similarity_reports_resend
from .writing import grade_answers

logger = logging.getLogger("grading.jobs")

# Answers per chunk task. One chunk holds its answers, their responses (capped by ANSWER_MAX_CHARS)
# and the engine's features in memory: 200 free-text answers with their sentence embeddings are a
# few MB, small next to the ~100 MB embedding model, and a chunk finishes in seconds, so a lost
# chunk costs little to redo. Configurable with GRADING_CHUNK_SIZE.
CHUNK_SIZE_DEFAULT = 200

# A queued or running job whose progress has not moved for this long is handed to a worker again.
STALL_AFTER = timedelta(minutes=5)

# A message whose worker died (killed, out of memory, segfault) is delivered again (acks_late). A
# chunk that kills its worker every time would otherwise go round for ever: after this many
# redeliveries it is dead-lettered instead.
MAX_REDELIVERIES = 3


def chunk_size() -> int:
    return max(1, getattr(settings, "GRADING_CHUNK_SIZE", CHUNK_SIZE_DEFAULT))


def log_event(event: str, job: GradingJob, **fields: object) -> None:
    """One line per job event, `key=value` pairs, easy to grep and to parse."""
    parts = " ".join(f"{k}={v}" for k, v in {"job": job.pk, "kind": job.kind, **fields}.items())
    logger.info("%s %s", event, parts)


def job_refresh(job_id: int) -> GradingJob:
    """Recount a job's progress from the grades; finish it when nothing is left to grade."""
    job = GradingJob.objects.get(pk=job_id)
    pending = selectors.job_pending(job)
    pending_count = pending.count()
    failed = pending.filter(pk__in=job.failed_answers).count() if job.failed_answers else 0
    # `updated_at` is the job's heartbeat: the sweeper restarts a job whose heartbeat stopped for
    # STALL_AFTER. QuerySet.update() leaves auto_now fields alone, so it is set here.
    updates: dict[str, object] = {
        "done": max(job.total - pending_count, 0),
        "failed": failed,
        "updated_at": timezone.now(),
    }
    if job.status == GradingJob.Status.RUNNING and pending_count <= failed:
        status = GradingJob.Status.FAILED if failed else GradingJob.Status.DONE
        won = GradingJob.objects.filter(pk=job.pk, status=job.status).update(
            **updates, status=status, finished_at=timezone.now()
        )
        job.refresh_from_db()
        if won:  # exactly one caller logs the end, however many chunks finish at once
            seconds = (job.finished_at - (job.started_at or job.created_at)).total_seconds()
            log_event(
                "job.end",
                job,
                status=job.status,
                done=job.done,
                failed=job.failed,
                total=job.total,
                seconds=f"{seconds:.1f}",
            )
            if job.kind == GradingJob.Kind.ASSIGNMENT and job.assignment_id is not None:
                similarity_report_start_after_grading(job.assignment_id)
        return job
    # Only while the job runs: a worker whose counts predate another worker's final refresh must
    # not set a finished job's counts back (its UPDATE may wait on the row until after the finish).
    GradingJob.objects.filter(pk=job.pk, status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING]).update(
        **updates
    )
    job.refresh_from_db()
    return job


def job_plan(job_id: int) -> list[list[int]]:
    """Start (or restart) a job: the chunks of answer ids still to grade, identical responses adjacent."""
    job = GradingJob.objects.get(pk=job_id)
    if job.status in (GradingJob.Status.DONE, GradingJob.Status.FAILED):
        return []
    todo = list(selectors.job_pending(job).order_by("question_id", "response", "pk").values_list("pk", flat=True))
    total = selectors.job_answers(job).count()
    now = timezone.now()
    GradingJob.objects.filter(pk=job.pk).update(
        status=GradingJob.Status.RUNNING, total=total, started_at=job.started_at or now, updated_at=now
    )
    size = chunk_size()
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    leases.chunks_register(job, chunks)
    log_event("job.start", job, total=total, todo=len(todo), chunks=len(chunks), chunk_size=size)
    if not chunks:
        job_refresh(job.pk)
    return chunks


def chunk_grade(job_id: int, answer_ids: Sequence[int], *, task_id: str = "", worker: str = "") -> GradingJob:
    """Grade one chunk of a batch job. A task (`task_id`) takes the chunk's lease first: a chunk
    graded already, or held by a live owner, is left alone (`chunk.skipped`); an owner that lost
    its lease meanwhile writes nothing (`chunk.lease_lost`) and leaves the chunk to the new one."""
    job = GradingJob.objects.get(pk=job_id)
    lease = None
    if task_id:
        taken = leases.chunk_take(job, answer_ids, task_id=task_id, worker=worker)
        if isinstance(taken, leases.Refusal):
            log_event("chunk.skipped", job, answers=len(answer_ids), reason=taken.reason, owner=taken.owner or "-")
            return job
        lease = taken
    rescore_before = job.created_at if job.kind == GradingJob.Kind.CALIBRATE else None
    outcome = grade_answers(answer_ids, job=job, rescore_before=rescore_before, lease=lease)
    if outcome.lost:
        log_event("chunk.lease_lost", job, answers=len(answer_ids), chunk=lease.chunk_id if lease else "-")
        return job
    attempt_ids = Answer.objects.filter(pk__in=answer_ids).values_list("attempt_id", flat=True).distinct()
    attempts_refresh_status(attempt_ids)
    queueing.scores_changed(attempt_ids)  # a close, a regrade or a calibration changes scores
    if outcome.failed:  # dead-letter the answers the engine failed on (this recounts the job too)
        job = chunk_fail(job.pk, list(outcome.failed), "\n".join(sorted(set(outcome.failed.values()))))
    else:
        job = job_refresh(job.pk)
    log_event("job.progress", job, graded=outcome.graded, skipped=outcome.skipped, done=job.done, total=job.total)
    return job


def chunk_fail_for_good(job_id: int, answer_ids: Sequence[int], error: str) -> GradingJob:
    """A chunk task failed for good (a bug, retries exhausted): dead-letter its answers and set the
    chunk aside, so that its lease, left to expire, does not send it round again."""
    job = chunk_fail(job_id, answer_ids, error)
    chunk = GradingChunk.objects.filter(job_id=job_id, key=work_key(answer_ids)).values_list("pk", flat=True).first()
    if chunk is not None:
        leases.chunk_set_aside(chunk)
    return job


@transaction.atomic
def chunk_fail(job_id: int, answer_ids: Sequence[int], error: str) -> GradingJob:
    """Dead letter: record a chunk that failed for good, with the error, so a person can act."""
    job = GradingJob.objects.select_for_update().get(pk=job_id)
    job.failed_answers = sorted(set(job.failed_answers) | set(answer_ids))
    job.error = f"{job.error}\n{error}".strip()[-4000:]
    job.save(update_fields=["failed_answers", "error"])
    log_event("job.chunk_failed", job, answers=len(answer_ids), error=error.splitlines()[0][:200] if error else "")
    return job_refresh(job.pk)


def redelivery_count(job_id: int, key: str) -> int:
    """Record one more redelivery of a job's chunk (or attempt); the count so far."""
    with transaction.atomic():
        job = GradingJob.objects.select_for_update().get(pk=job_id)
        count = int(job.redeliveries.get(key, 0)) + 1
        job.redeliveries = {**job.redeliveries, key: count}
        job.save(update_fields=["redeliveries"])
    if count > 1:
        log_event("job.redelivered", job, work=key, times=count)
    return count


def redelivered_too_often(count: int) -> str | None:
    """The dead-letter error for work delivered again too often, else None."""
    if count <= MAX_REDELIVERIES:
        return None
    return (
        f"WorkerLost: delivered again {count} times and its worker died each time "
        "(killed or out of memory?); set aside so the rest of the job can finish"
    )


def chunk_redelivered(job_id: int, answer_ids: Sequence[int]) -> bool:
    """A chunk message came back after its worker was lost. True when it was dead-lettered."""
    error = redelivered_too_often(redelivery_count(job_id, work_key(answer_ids)))
    if error:
        chunk_fail(job_id, answer_ids, error)
    return error is not None


def attempt_redelivered(attempt_id: int) -> bool:
    """The per-attempt message came back after its worker was lost. True when it was dead-lettered."""
    job = GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt_id=attempt_id).first()
    if job is None:
        return False
    error = redelivered_too_often(redelivery_count(job.pk, "attempt"))
    if error:
        attempt_fail(attempt_id, error)
    return error is not None


def attempt_fail(attempt_id: int, error: str) -> GradingJob | None:
    """Dead letter of the per-attempt path: what the attempt's job has not graded is recorded as
    failed, with the error, and the job ends `failed` so a person can act."""
    job = GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt_id=attempt_id).first()
    if job is None or job.status != GradingJob.Status.RUNNING:
        return job  # failed before its job was planned: the sweeper sends the attempt again
    return chunk_fail(job.pk, list(selectors.job_pending(job).values_list("pk", flat=True)), error)


def attempts_refresh_status(attempt_ids: Sequence[int] | object) -> int:
    """Mark submitted attempts `graded` once every answer has a final current grade (one query)."""
    final = Grade.objects.filter(answer=OuterRef("pk"), is_current=True).exclude(status=Grade.Status.NEEDS_REVIEW)
    ungraded = Answer.objects.filter(attempt=OuterRef("pk")).exclude(Exists(final))
    return (
        Attempt.objects.filter(pk__in=attempt_ids, status__in=[Attempt.Status.SUBMITTED, Attempt.Status.AUTO_SUBMITTED])
        .exclude(Exists(ungraded))
        .update(status=Attempt.Status.GRADED)
    )


def job_create_for_assignment(assignment: Assignment) -> GradingJob | None:
    """The one batch job of an assignment whose window has closed; enqueued after commit."""
    try:
        with transaction.atomic():
            job = GradingJob.objects.create(kind=GradingJob.Kind.ASSIGNMENT, assignment=assignment)
    except IntegrityError:
        return None  # the job exists already (unique per assignment)
    log_event("job.created", job, assignment=assignment.pk)
    transaction.on_commit(lambda: queueing.enqueue_job(job.pk))
    return job


def attempts_close_due(*, now: datetime | None = None) -> tuple[int, int]:
    """The beat tick of exam windows: auto-submit overdue attempts (`quizzes.services`), then start
    one batch grading job and the similarity report for every assignment nobody can answer any more
    (its window plus grace closed, every extension passed). Returns (attempts, jobs)."""
    now = now or timezone.now()
    submitted = quiz_services.attempts_auto_submit_due(now=now)
    without_job = Assignment.objects.exclude(grading_jobs__kind=GradingJob.Kind.ASSIGNMENT)
    jobs = 0
    for assignment in quiz_services.assignments_closed(among=without_job, now=now):
        with transaction.atomic():
            job = job_create_for_assignment(assignment)
            if job is not None:
                similarity_report_request(assignment=assignment)
            jobs += job is not None
    return submitted, jobs


def chunks_reclaim(*, now: datetime | None = None) -> int:
    """The lease sweeper (beat, every GRADING_LEASE_SWEEP_SECONDS): a chunk whose lease expired
    (its worker died or froze) is sent again for another worker, or dead-lettered once it has been
    taken back more than MAX_REDELIVERIES times (its work kills every worker that takes it).
    One query when nothing expired. Returns the chunks handed over."""
    taken_back = leases.leases_take_back(now=now)
    for chunk in taken_back:
        logger.info(
            "chunk.taken_over chunk=%s job=%s from=%s times=%s", chunk.chunk_id, chunk.job_id, chunk.owner, chunk.times
        )
        error = redelivered_too_often(chunk.times)
        if error:
            chunk_fail(chunk.job_id, chunk.answer_ids, error)
            leases.chunk_set_aside(chunk.chunk_id)
        else:
            queueing.enqueue_chunk(chunk.job_id, chunk.answer_ids)
    return len(taken_back)


@dataclass(frozen=True)
class SweepOutcome:
    attempts: int
    jobs: int
    reports: int = 0


def sweep(*, now: datetime | None = None) -> SweepOutcome:
    """Find work a lost message left behind and hand it to the workers again."""
    now = now or timezone.now()
    attempt_ids = selectors.attempts_awaiting_grading(now=now)
    for attempt_id in attempt_ids:
        queueing.enqueue_attempt_grading(attempt_id)
    stalled = list(
        GradingJob.objects.filter(
            status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING], updated_at__lt=now - STALL_AFTER
        )
        .exclude(kind=GradingJob.Kind.ATTEMPT)
        .values_list("pk", flat=True)
    )
    for job_id in stalled:
        GradingJob.objects.filter(pk=job_id).update(updated_at=now)
        queueing.enqueue_job(job_id)
    reports = similarity_reports_resend(now=now, stalled_after=STALL_AFTER)
    if attempt_ids or stalled or reports:
        logger.info("sweep attempts=%s jobs=%s reports=%s", len(attempt_ids), len(stalled), len(reports))
    return SweepOutcome(attempts=len(attempt_ids), jobs=len(stalled), reports=len(reports))
