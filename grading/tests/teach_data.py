"""Data for the instructor-workspace tests: a closed exam whose answers carry given grades.

Grades are written directly (as the engine would store them) so the tests are about the pages and
selectors, not about scoring; the regrade test uses the real engine through `grading.services`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from bank.models import Question
from classes.models import Enrollment, Section
from classes.tests.factories import EnrollmentFactory
from grading.models import Grade
from quizzes import services as quiz_services
from quizzes.models import Answer, Assignment, Attempt
from quizzes.tests.factories import AssignmentFactory, QuizItemFactory


@dataclass
class Graded:
    assignment: Assignment
    questions: list[Question]
    attempts: list[Attempt]

    def answer(self, attempt: Attempt, question: Question) -> Answer:
        return Answer.objects.get(attempt=attempt, question=question)


def graded_exam(
    section: Section,
    questions: Sequence[Question],
    responses: Sequence[Sequence[object]],
    scores: Sequence[Sequence[Decimal | None]],
    *,
    start: datetime | None = None,
    minutes: Sequence[float] | None = None,
    names: Sequence[str] | None = None,
    key_points: dict[tuple[int, int], list[dict]] | None = None,
) -> Graded:
    """One student per row of `responses`/`scores`; a None score is a grade that needs review."""
    start = start or timezone.now() - timedelta(hours=2)
    assignment = AssignmentFactory(
        section=section,
        quiz__course=section.course,
        opens_at=start - timedelta(minutes=5),
        closes_at=start + timedelta(hours=1),
        time_limit=None,
    )
    for position, question in enumerate(questions, start=1):
        QuizItemFactory(quiz=assignment.quiz, position=position, question=question)
    attempts = []
    for i, (row, row_scores) in enumerate(zip(responses, scores, strict=True)):
        kwargs = {"user__display_name": names[i]} if names else {}
        student = EnrollmentFactory(section=section, role=Enrollment.Role.STUDENT, **kwargs).user
        attempt = quiz_services.attempt_start(assignment=assignment, student=student, now=start)
        for j, (question, response) in enumerate(zip(questions, row, strict=True)):
            quiz_services.answers_save(
                attempt=attempt, responses={question.pk: response}, now=start + timedelta(minutes=j + 1)
            )
        took = timedelta(minutes=minutes[i]) if minutes else timedelta(minutes=len(questions) + 1)
        attempt = quiz_services.attempt_submit(attempt=attempt, now=start + took)
        for j, (question, score) in enumerate(zip(questions, row_scores, strict=True)):
            answer = Answer.objects.get(attempt=attempt, question=question)
            Grade.objects.create(
                answer=answer,
                status=Grade.Status.NEEDS_REVIEW if score is None else Grade.Status.AUTO,
                score=score,
                max_points=question.points,
                confidence=0.4 if score is None else 0.95,
                grader="test",
                grader_version="t1",
                question_version=question.version,
                details={"key_points": (key_points or {}).get((i, j), [])},
            )
        attempts.append(attempt)
    return Graded(assignment, list(questions), attempts)


class FakeEmbedder:
    """Texts mapping to the same `topic` (the first word) get the same unit vector."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.topics: dict[str, int] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            word = text.split()[0].lower() if text.split() else ""
            index = self.topics.setdefault(word, len(self.topics) % 97)
            vector = np.zeros(97, dtype=np.float32)
            vector[index] = 1.0
            rows.append(vector)
        return np.array(rows)
