"""Putting grading work on the broker without ever failing the caller (`common.queueing`).

A student's submit must succeed when the broker is down: the attempt is in the database, the
error is logged, and the periodic sweeper (`grading.tasks.sweep_ungraded`) enqueues it later.
"""

from __future__ import annotations

from common.queueing import send_task

GRADE_ATTEMPT = "grading.tasks.grade_attempt"
GRADE_JOB = "grading.tasks.grade_job"
GRADE_CHUNK = "grading.tasks.grade_chunk"


def enqueue_attempt_grading(attempt_id: int) -> bool:
    return send_task(GRADE_ATTEMPT, [attempt_id], f"attempt={attempt_id}")


def enqueue_job(job_id: int) -> bool:
    return send_task(GRADE_JOB, [job_id], f"job={job_id}")


def enqueue_chunk(job_id: int, answer_ids: list[int]) -> bool:
    return send_task(GRADE_CHUNK, [job_id, answer_ids], f"job={job_id} answers={len(answer_ids)}")
