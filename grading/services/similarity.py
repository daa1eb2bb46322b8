"""The similarity report: requested when an assignment's window closes (the beat's close, with the
batch grading job) or by the section's staff, computed by a worker, stored so the page never
recomputes. The comparison itself is `grading.engine.similarity` (plain Python).

The close's report waits for the grading: it is created `queued` with the batch job and sent to
the workers when that job ends (`similarity_report_start_after_grading`). Sent at once, it held a
worker for minutes (it embeds every answer of the exam) while the exam's chunks waited.

A report is one row per assignment. Every request raises its `generation` and queues it; a run
claims the report (queued -> running), compares outside any lock, then stores its pairs only if
no newer request came meanwhile (a newer run will store its own). So the task is idempotent: a
message delivered twice finds the report done and does nothing; a run that is repeated replaces
its pairs with the same pairs (unique per report and pair of students)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from classes import policy
from grading.engine.embedding import default_embedder
from grading.engine.similarity import ALGORITHM_VERSION, Embed, Thresholds, similar_pairs
from quizzes.models import Assignment

from .. import queueing, selectors
from ..models import GradingJob, SimilarityReport, SimilarPair

logger = logging.getLogger("grading.similarity")

THRESHOLDS = Thresholds()
FINISHED = (SimilarityReport.Status.DONE, SimilarityReport.Status.FAILED)


def similarity_report_request(*, assignment: Assignment, actor: Any = None) -> SimilarityReport:
    """Queue the assignment's report. Staff (`actor`) always get a fresh computation, sent to the
    workers at once; the platform (`actor=None`, at the window's close) only creates the report if
    there is none, and the batch job's end sends it (`similarity_report_start_after_grading`)."""
    if actor is not None:
        policy.assignment_staff_view(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        report, created = SimilarityReport.objects.select_for_update().get_or_create(
            assignment=assignment, defaults={"requested_at": now, "requested_by": actor}
        )
        if actor is None:  # the close's: created once, sent when the batch job ends
            if created:
                logger.info("similarity.requested report=%s assignment=%s after=grading", report.pk, assignment.pk)
            return report
        if not created:
            report.generation += 1
            report.status = SimilarityReport.Status.QUEUED
            report.requested_at, report.requested_by, report.error = now, actor, ""
            report.save(update_fields=["generation", "status", "requested_at", "requested_by", "error", "updated_at"])
        transaction.on_commit(lambda: queueing.enqueue_similarity_report(report.pk))
    logger.info(
        "similarity.requested report=%s assignment=%s generation=%s", report.pk, assignment.pk, report.generation
    )
    return report


def similarity_report_start_after_grading(assignment_id: int) -> bool:
    """Send the close's report to the workers once the assignment's batch job has ended (called
    once, by the job's end). A report staff asked for meanwhile is on its way already."""
    report = SimilarityReport.objects.filter(
        assignment_id=assignment_id,
        status=SimilarityReport.Status.QUEUED,
        started_at__isnull=True,
        requested_by__isnull=True,
    ).first()
    if report is None:
        return False
    transaction.on_commit(lambda: queueing.enqueue_similarity_report(report.pk))
    return True


def similarity_reports_resend(*, now: datetime, stalled_after: timedelta) -> list[int]:
    """The sweeper's part: reports still `queued` for `stalled_after` (their message was lost, the
    broker was down) are sent again, unless their assignment's batch job is still grading (its end
    sends them). Touching `updated_at` spaces the resends by `stalled_after`."""
    grading = GradingJob.objects.filter(
        assignment=OuterRef("assignment"),
        kind=GradingJob.Kind.ASSIGNMENT,
        status__in=[GradingJob.Status.QUEUED, GradingJob.Status.RUNNING],
    )
    stalled = list(
        SimilarityReport.objects.filter(status=SimilarityReport.Status.QUEUED, updated_at__lt=now - stalled_after)
        .exclude(Exists(grading))
        .values_list("pk", flat=True)
    )
    if stalled:
        SimilarityReport.objects.filter(pk__in=stalled).update(updated_at=now)
    for report_id in stalled:
        queueing.enqueue_similarity_report(report_id)
    return stalled


def _claim(report_id: int) -> tuple[SimilarityReport, int] | None:
    with transaction.atomic():
        report = SimilarityReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in FINISHED:
            return None  # deleted, or a message delivered again after the work was done
        report.status, report.started_at, report.error = SimilarityReport.Status.RUNNING, timezone.now(), ""
        report.save(update_fields=["status", "started_at", "error", "updated_at"])
        return report, report.generation


def similarity_report_compute(report_id: int, *, embed: Embed | None = None) -> SimilarityReport | None:
    """Compare the answers and store the flagged pairs (the worker's task). Embedding happens
    outside any transaction: 300 students x 10 questions take about a minute on one core."""
    claimed = _claim(report_id)
    if claimed is None:
        return SimilarityReport.objects.filter(pk=report_id).first()
    report, generation = claimed
    embed = embed or default_embedder().embed
    result = similar_pairs(selectors.similarity_inputs(report.assignment_id), embed, THRESHOLDS)
    with transaction.atomic():
        report = SimilarityReport.objects.select_for_update().get(pk=report_id)
        if report.generation != generation:
            return report  # staff asked again while this ran: the newer run stores its own result
        report.pairs.all().delete()
        SimilarPair.objects.bulk_create(
            SimilarPair(
                report=report,
                student_a_id=pair.student_a,
                student_b_id=pair.student_b,
                rank=rank,
                cluster=pair.cluster,
                questions=pair.questions,
                strength=pair.strength,
                evidence=[vars(e) for e in pair.evidence],
            )
            for rank, pair in enumerate(result.pairs, start=1)
        )
        report.status, report.computed_at = SimilarityReport.Status.DONE, timezone.now()
        report.questions, report.students = result.questions, result.students
        report.parameters = {
            "version": ALGORITHM_VERSION,
            "thresholds": THRESHOLDS.as_dict(),
            "embedder": getattr(getattr(embed, "__self__", None), "name", "given"),
        }
        report.save()
    logger.info(
        "similarity.done report=%s assignment=%s questions=%s students=%s pairs=%s",
        report.pk,
        report.assignment_id,
        result.questions,
        result.students,
        len(result.pairs),
    )
    return report


def similarity_report_fail(report_id: int, error: str) -> None:
    """Dead letter: the run failed for good; the page shows the error and the button to try again."""
    SimilarityReport.objects.filter(
        pk=report_id, status__in=[SimilarityReport.Status.QUEUED, SimilarityReport.Status.RUNNING]
    ).update(status=SimilarityReport.Status.FAILED, error=error[-4000:], updated_at=timezone.now())
    logger.error("similarity.failed report=%s error=%s", report_id, error.splitlines()[0][:200] if error else "")
