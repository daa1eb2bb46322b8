"""Gradebook and per-answer exports of an assignment, as rows and as CSV for spreadsheets.

CSV is UTF-8 with a byte-order mark, so spreadsheet programs open Chinese names correctly. Every
CSV of the platform (these exports, the analytics tables, the set-password sheets) is written by
`common.spreadsheet.csv_text`, which neutralises formula injection. A student's grade is the attempt with the highest total (ties: the later attempt); a question that
was not drawn for a student's attempt is left empty, a question waiting for review is "pending".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from classes.models import Enrollment
from common.spreadsheet import csv_text
from quizzes.models import Answer, Assignment, Attempt, AttemptQuestion

from .analytics import best_attempts
from .models import Grade

PENDING = "pending"


@dataclass(frozen=True)
class GradebookColumn:
    question_id: int
    label: str


@dataclass
class GradebookRow:
    username: str
    name: str
    attempt_id: int | None
    cells: dict[int, Decimal | str]
    total: Decimal | None
    max_total: Decimal | None


def _attempts_with_grades(assignment: Assignment) -> list[Attempt]:
    current = Prefetch("grades", queryset=Grade.objects.filter(is_current=True), to_attr="current")
    return list(
        Attempt.objects.filter(assignment=assignment)
        .exclude(status=Attempt.Status.IN_PROGRESS)
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.prefetch_related(current)),
            Prefetch("attempt_questions", queryset=AttemptQuestion.objects.select_related("question__chapter")),
        )
        .order_by("student_id", "number")
    )


def _attempt_cells(attempt: Attempt) -> tuple[dict[int, Decimal | str], Decimal, Decimal]:
    cells: dict[int, Decimal | str] = {}
    total = Decimal(0)
    for answer in attempt.answers.all():
        grade = answer.current[0] if answer.current else None
        if grade is None or grade.score is None:
            cells[answer.question_id] = PENDING
        else:
            cells[answer.question_id] = grade.score
            total += grade.score
    return cells, total, sum((aq.points for aq in attempt.attempt_questions.all()), Decimal(0))


def gradebook(assignment: Assignment) -> tuple[list[GradebookColumn], list[GradebookRow]]:
    """One row per enrolled student, one column per question drawn for anyone, plus the total."""
    attempts = _attempts_with_grades(assignment)
    columns: dict[int, GradebookColumn] = {}
    scored: list[tuple[Attempt, dict[int, Decimal | str], Decimal, Decimal]] = []
    for attempt in attempts:
        for aq in sorted(attempt.attempt_questions.all(), key=lambda aq: aq.position):
            question = aq.question
            columns.setdefault(question.pk, GradebookColumn(question.pk, question.column_label))
        scored.append((attempt, *_attempt_cells(attempt)))
    best = best_attempts(scored, student=lambda s: s[0].student_id, total=lambda s: s[2])
    students = Enrollment.objects.filter(section_id=assignment.section_id, role=Enrollment.Role.STUDENT).select_related(
        "user"
    )
    rows = []
    for enrollment in students.order_by("user__username"):
        user = enrollment.user
        attempt, cells, total, max_total = best.get(user.pk, (None, {}, None, None))
        rows.append(
            GradebookRow(user.username, user.shown_name, attempt.pk if attempt else None, cells, total, max_total)
        )
    return list(columns.values()), rows


def gradebook_csv(assignment: Assignment) -> str:
    columns, rows = gradebook(assignment)
    header = ["username", "name", "attempt", *(c.label for c in columns), "total", "max"]
    return csv_text(
        header,
        (
            [
                r.username,
                r.name,
                r.attempt_id or "",
                *(r.cells.get(c.question_id, "") for c in columns),
                "" if r.total is None else r.total,
                "" if r.max_total is None else r.max_total,
            ]
            for r in rows
        ),
    )


def answers_csv(assignment: Assignment) -> str:
    """One row per answer of every submitted attempt, with its current grade."""
    by_attempt: dict[int, list[Answer]] = defaultdict(list)
    answers = (
        Answer.objects.filter(attempt__assignment=assignment)
        .exclude(attempt__status=Attempt.Status.IN_PROGRESS)
        .select_related("attempt__student", "question__chapter")
        .prefetch_related(
            Prefetch(
                "grades",
                queryset=Grade.objects.filter(is_current=True).select_related("overridden_by"),
                to_attr="current",
            )
        )
        .order_by("attempt__student__username", "attempt__number", "question__chapter__number", "question__position")
    )
    for answer in answers:
        by_attempt[answer.attempt_id].append(answer)
    header = ["username", "name", "attempt", "question", "response", "score", "max", "status", "graded_by", "feedback"]
    rows = []
    for group in by_attempt.values():
        for a in group:
            grade = a.current[0] if a.current else None
            rows.append(
                [
                    a.attempt.student.username,
                    a.attempt.student.shown_name,
                    a.attempt.number,
                    a.question.column_label,
                    ""
                    if a.response is None
                    else (a.response if isinstance(a.response, str) else "; ".join(map(str, a.response))),
                    "" if grade is None or grade.score is None else grade.score,
                    "" if grade is None else grade.max_points,
                    "ungraded" if grade is None else grade.status,
                    "" if grade is None else (grade.overridden_by.username if grade.overridden_by_id else "engine"),
                    "" if grade is None else grade.feedback,
                ]
            )
    return csv_text(header, rows)
