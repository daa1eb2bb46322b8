"""The per-attempt path in micro-batches: answers waiting for grading are taken per question, across
every submitted attempt, instead of one attempt at a time.

One attempt's four free-text answers are four model calls of one answer each; the same answers of
fifty attempts submitted within seconds are one model call per question, as in the batch path.
`grade_attempt` (one message per submit) plans the attempt's own job, then takes micro-batches
of everything waiting (`selectors.per_attempt_waiting`: every submitted attempt of an open window,
its job created here if its own message has not been taken yet) until its own attempt is graded;
a later message whose attempt was graded by someone else's batch finds nothing left and returns.

Exactly once under several workers: a micro-batch is taken with `SELECT … FOR UPDATE SKIP
LOCKED` and its rows stay locked, in one transaction, while it is scored and written; another
worker takes the next answers, never the same ones. A worker that dies drops its connection, so
PostgreSQL releases the rows at once and the next `grade_attempt` (or the sweeper) takes them.
"""

from __future__ import annotations

import logging
import math
import os
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from quizzes.models import Answer, Attempt

from .. import queueing, selectors
from ..models import GradingJob
from .jobs import attempts_refresh_status, chunk_fail, chunk_size, job_plan, job_refresh
from .writing import grade_answers

logger = logging.getLogger("grading.jobs")


def _answer_attempts(answer_ids: Iterable[int]) -> dict[int, int]:
    return dict(Answer.objects.filter(pk__in=list(answer_ids)).values_list("pk", "attempt_id"))


def _attempt_jobs(attempt_ids: set[int]) -> dict[int, GradingJob]:
    """The per-attempt jobs of `attempt_ids`, created (running, with their totals) for attempts
    whose own message has not been taken yet; a job made meanwhile by that message is kept."""
    jobs = {
        j.attempt_id: j for j in GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt_id__in=attempt_ids)
    }
    missing = attempt_ids - set(jobs)
    if missing:
        now = timezone.now()
        totals = dict(
            Answer.objects.filter(attempt_id__in=missing)
            .values("attempt_id")
            .annotate(n=Count("pk"))
            .values_list("attempt_id", "n")
        )
        GradingJob.objects.bulk_create(
            [
                GradingJob(
                    kind=GradingJob.Kind.ATTEMPT,
                    attempt_id=attempt_id,
                    assignment_id=assignment_id,
                    status=GradingJob.Status.RUNNING,
                    total=totals.get(attempt_id, 0),
                    started_at=now,
                )
                for attempt_id, assignment_id in Attempt.objects.filter(pk__in=missing).values_list(
                    "pk", "assignment_id"
                )
            ],
            ignore_conflicts=True,
        )
        jobs.update(
            (j.attempt_id, j) for j in GradingJob.objects.filter(kind=GradingJob.Kind.ATTEMPT, attempt_id__in=missing)
        )
    return {attempt_id: job for attempt_id, job in jobs.items() if attempt_id is not None}


MIN_MICRO_BATCH = 8  # below this the per-batch work (queries, one model call per question) dominates


def micro_batch_size(waiting: int) -> int:
    """GRADING_CHUNK_SIZE answers, or fewer as the queue drains: at most one grading process's
    share of what is waiting. With 200 at a time the last 200 answers of an exam went to one
    process, graded one after another (about 70 s with ft-4) while the other process idled."""
    processes = getattr(settings, "GRADING_PARALLELISM", 0) or os.cpu_count() or 1
    return max(MIN_MICRO_BATCH, min(chunk_size(), math.ceil(waiting / processes)))


def attempts_grade_waiting(*, skip: Iterable[int] = ()) -> list[int]:
    """Take one micro-batch of waiting answers (`micro_batch_size`, ordered by question and
    response so that a batch holds whole groups of one question) that no other worker holds, grade
    it and recount the jobs of its attempts. Returns the ids taken (empty: nothing left to take)."""
    waiting = selectors.per_attempt_waiting().exclude(pk__in=list(skip))
    size = micro_batch_size(waiting.count())
    with transaction.atomic():
        taken = list(
            waiting.select_for_update(of=("self",), skip_locked=True)
            .order_by("question_id", "response", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not taken:
            return []
        attempt_of = _answer_attempts(taken)
        jobs = _attempt_jobs(set(attempt_of.values()))
        set_aside = {pk for j in jobs.values() for pk in j.failed_answers}  # dead letters wait for a person
        outcome = grade_answers([pk for pk in taken if pk not in set_aside], attempt_jobs=jobs)
        attempts_refresh_status(list(jobs))
        failed_by_job: dict[int, list[int]] = defaultdict(list)
        for pk in outcome.failed:
            failed_by_job[jobs[attempt_of[pk]].pk].append(pk)
        errors = "\n".join(sorted(set(outcome.failed.values())))
        for job in jobs.values():
            if job.pk in failed_by_job:
                chunk_fail(job.pk, failed_by_job[job.pk], errors)
            else:
                job_refresh(job.pk)
    logger.info(
        "attempts.batch answers=%s attempts=%s graded=%s skipped=%s failed=%s",
        len(taken),
        len(jobs),
        outcome.graded,
        outcome.skipped,
        len(outcome.failed),
    )
    # Again once committed: two workers grading parts of one attempt at the same time each see
    # only their own part inside their transactions, so neither would finish its job or mark the
    # attempt graded; the later of the two recounts after commit sees both.
    attempts_refresh_status(list(jobs))
    for job in jobs.values():
        job_refresh(job.pk)
    queueing.scores_changed(list(jobs))  # after the recount that saw every worker's part
    return taken


def attempt_grade(attempt_id: int) -> GradingJob | None:
    """The per-attempt path, right after a submit. Safe to run any number of times, by any number
    of workers at once: plan the attempt's job, then grade micro-batches of every waiting answer
    until this attempt has nothing left that nobody else holds."""
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is None or attempt.status == Attempt.Status.IN_PROGRESS:
        return None
    job, _ = GradingJob.objects.get_or_create(
        kind=GradingJob.Kind.ATTEMPT, attempt=attempt, defaults={"assignment_id": attempt.assignment_id}
    )
    if job_plan(job.pk):
        taken: set[int] = set()
        while selectors.job_pending(job).exclude(pk__in=[*taken, *job.failed_answers]).exists():
            batch = attempts_grade_waiting(skip=taken)
            if not batch:
                break  # what is left of this attempt is held by another worker, which grades it
            taken.update(batch)
            job.refresh_from_db(fields=["failed_answers"])
        job_refresh(job.pk)
    job.refresh_from_db()
    return job
