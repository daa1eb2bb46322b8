"""Putting grading work on the broker without ever failing the caller (`common.queueing`).

A student's submit must succeed when the broker is down: the attempt is in the database, the
error is logged, and the periodic sweeper (`grading.tasks.sweep_ungraded`) enqueues it later.
"""

from __future__ import annotations

from common.queueing import send_task

GRADE_ATTEMPT = "grading.tasks.grade_attempt"
GRADE_JOB = "grading.tasks.grade_job"


def enqueue_attempt_grading(attempt_id: int) -> bool:
    return send_task(GRADE_ATTEMPT, [attempt_id], f"attempt={attempt_id}")


def enqueue_job(job_id: int) -> bool:
    return send_task(GRADE_JOB, [job_id], f"job={job_id}")


SIMILARITY_REPORT = "grading.tasks.similarity_report"


def enqueue_similarity_report(report_id: int) -> bool:
    return send_task(SIMILARITY_REPORT, [report_id], f"similarity_report={report_id}")
