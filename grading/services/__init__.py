"""Writes of grading state. Only this package writes grades (see DESIGN.md)."""

from .jobs import (
    attempt_fail,
    attempt_redelivered,
    attempts_close_due,
    attempts_refresh_status,
    chunk_fail,
    chunk_fail_for_good,
    chunk_grade,
    chunk_redelivered,
    chunks_reclaim,
    job_create_for_assignment,
    job_plan,
    job_refresh,
    sweep,
)
from .overrides import OverrideRefused, calibration_start, grade_override
from .passback import passback_claim, passback_failed, passback_give_up, passback_prepare, passback_sent
from .per_attempt import attempt_grade, attempts_grade_waiting
from .pregrade import PregradeOutcome, answers_pregrade
from .regrade import regrade_preview, regrade_start
from .score_cache import score_cache_prune
from .similarity import similarity_report_compute, similarity_report_fail, similarity_report_request
from .writing import ChunkOutcome, grade_answers

__all__ = [
    "ChunkOutcome",
    "OverrideRefused",
    "PregradeOutcome",
    "answers_pregrade",
    "attempt_fail",
    "attempt_grade",
    "attempt_redelivered",
    "attempts_close_due",
    "attempts_grade_waiting",
    "attempts_refresh_status",
    "calibration_start",
    "chunk_fail",
    "chunk_fail_for_good",
    "chunk_grade",
    "chunk_redelivered",
    "chunks_reclaim",
    "grade_answers",
    "grade_override",
    "job_create_for_assignment",
    "job_plan",
    "job_refresh",
    "passback_claim",
    "passback_failed",
    "passback_give_up",
    "passback_prepare",
    "passback_sent",
    "regrade_preview",
    "regrade_start",
    "score_cache_prune",
    "similarity_report_compute",
    "similarity_report_fail",
    "similarity_report_request",
    "sweep",
]
