"""Reads of grading state shared by the portal, the instructor's pages, the API, the admin and the
workers. The portal and the live monitor show grading data only through these.

- `jobs`: what a job covers and has left, what the sweeper looks for, job progress;
- `attempts`: an attempt's answers with their current grades, its total, whether it is graded;
- `monitor`: the grading side of an assignment's live monitor, with where its scores were sent;
- `history`: an answer's audit trail;
- `similarity`: what the similarity report compares, and its staff page.
"""

from .attempts import (
    AttemptRow,
    AttemptScore,
    attempt_grading_done,
    attempt_rows,
    attempt_score,
    attempt_total,
    with_engine_done,
)
from .history import CAUSES, GradeChange, grade_history
from .jobs import (
    SUBMITTED_STATUSES,
    SWEEP_AFTER,
    JobProgress,
    attempts_awaiting_grading,
    graded_for_current_version,
    job_answers,
    job_pending,
    job_progress,
    not_graded_for_current_version,
    per_attempt_waiting,
    progress_of,
)
from .monitor import PassbackSummary, batch_jobs_progress, passback_summary, with_needs_review
from .similarity import SimilarityView, similarity_inputs, similarity_report_view

__all__ = [
    "CAUSES",
    "SUBMITTED_STATUSES",
    "SWEEP_AFTER",
    "AttemptRow",
    "AttemptScore",
    "GradeChange",
    "JobProgress",
    "PassbackSummary",
    "SimilarityView",
    "attempt_grading_done",
    "attempt_rows",
    "attempt_score",
    "attempt_total",
    "attempts_awaiting_grading",
    "batch_jobs_progress",
    "grade_history",
    "graded_for_current_version",
    "job_answers",
    "job_pending",
    "job_progress",
    "not_graded_for_current_version",
    "passback_summary",
    "per_attempt_waiting",
    "progress_of",
    "similarity_inputs",
    "similarity_report_view",
    "with_engine_done",
    "with_needs_review",
]
