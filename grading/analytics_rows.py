"""Loads an assignment's graded work as the plain rows `grading.analytics` computes over (4 queries)."""

from __future__ import annotations

from django.db.models import Prefetch

from quizzes.models import Answer, Assignment, Attempt, AttemptQuestion

from .analytics import AttemptRow, ItemRow, best_attempts
from .models import Grade


def analytics_rows(assignment: Assignment) -> tuple[list[AttemptRow], dict[int, str]]:
    """Each student's best submitted attempt (`analytics.best_attempts`, as the gradebook),
    and the labels of the questions in the order they were drawn."""
    current = Prefetch("grades", queryset=Grade.objects.filter(is_current=True), to_attr="current")
    attempts = (
        Attempt.objects.filter(assignment=assignment)
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .select_related("student")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.prefetch_related(current)),
            Prefetch("attempt_questions", queryset=AttemptQuestion.objects.select_related("question__chapter")),
        )
        .order_by("student_id", "number")
    )
    labels: dict[int, tuple[int, str]] = {}
    rows: list[tuple[int, AttemptRow]] = []
    for attempt in attempts:
        points = {}
        for aq in attempt.attempt_questions.all():
            points[aq.question_id] = aq.points
            labels.setdefault(aq.question_id, (aq.position, aq.question.column_label))
        row = AttemptRow(
            attempt.pk, attempt.student.username, attempt.student.shown_name, attempt.started_at, attempt.submitted_at
        )
        for answer in attempt.answers.all():
            grade = answer.current[0] if answer.current else None
            if grade is None:
                continue  # not graded yet at all
            key_points = tuple(
                (str(k.get("text", "")), bool(k.get("covered"))) for k in (grade.details or {}).get("key_points", [])
            )
            row.items.append(
                ItemRow(
                    question_id=answer.question_id,
                    score=grade.score,
                    max_points=points.get(answer.question_id, grade.max_points),
                    saved_at=answer.saved_at if answer.response is not None else None,
                    key_points=key_points if grade.status != Grade.Status.OVERRIDDEN else (),
                )
            )
        rows.append((attempt.student_id, row))
    best = {s: row for s, (_, row) in best_attempts(rows, student=lambda r: r[0], total=lambda r: r[1].total).items()}
    ordered = dict(sorted(((qid, v) for qid, v in labels.items()), key=lambda kv: (kv[1][0], kv[0])))
    return sorted(best.values(), key=lambda r: r.username), {qid: label for qid, (_pos, label) in ordered.items()}
