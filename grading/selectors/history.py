"""An answer's audit trail, derived from its grades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..models import Grade


@dataclass(frozen=True)
class GradeChange:
    """One line of an answer's audit trail: who or what changed the grade, when, old -> new, why."""

    at: datetime
    by: str
    old_score: Decimal | None
    new_score: Decimal | None
    status: str
    why: str


CAUSES = {
    "attempt": "graded on submission",
    "assignment": "graded when the window closed",
    "regrade": "regraded after the answer key changed",
    "calibrate": "re-scored with the instructor's grades as examples",
    "direct": "graded",
}


def grade_history(answer_id: int) -> list[GradeChange]:
    """Every grade the answer ever had, oldest first. Grades are never deleted, only superseded,
    so the trail is derived from them and cannot drift from what happened."""
    grades = Grade.objects.filter(answer_id=answer_id).select_related("overridden_by").order_by("created_at", "pk")
    trail: list[GradeChange] = []
    previous: Decimal | None = None
    for grade in grades:
        if grade.status == Grade.Status.OVERRIDDEN:
            by, why = grade.overridden_by.shown_name, grade.override_reason
        else:
            cause = CAUSES.get(grade.details.get("cause", "direct"), "graded")
            by, why = f"engine {grade.grader_version}", f"{cause} (key v{grade.question_version})"
        trail.append(GradeChange(grade.created_at, by, previous, grade.score, grade.status, why))
        previous = grade.score
    return trail
