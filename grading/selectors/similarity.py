"""Reads of the similarity report: what the worker compares, and the staff page's view of a report.

Staff only: `similarity_report_view` asks `classes.policy` (the section's instructors and
assistants) before it reads anything, whoever calls it (page, API, command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bank.models import Question, QuestionKind
from classes import policy
from grading.engine.similarity import AnswerText, QuestionAnswers
from quizzes.models import Answer, Assignment, Attempt

from ..models import SimilarityReport
from .jobs import SUBMITTED_STATUSES


def _text(response: Any) -> str:
    return response if isinstance(response, str) else ""


def similarity_inputs(assignment_id: int) -> list[QuestionAnswers]:
    """The free-text answers of each student's last submitted attempt, per question (3 queries)."""
    attempts = (
        Attempt.objects.filter(assignment_id=assignment_id, status__in=SUBMITTED_STATUSES)
        .order_by("student_id", "number")
        .values_list("pk", "student_id")
    )
    last = {student: attempt for attempt, student in attempts}  # the highest number wins
    answers = (
        Answer.objects.filter(attempt_id__in=last.values(), question__kind=QuestionKind.FREE_TEXT)
        .order_by("question_id", "attempt__student_id")
        .values_list("pk", "question_id", "attempt__student_id", "response")
    )
    by_question: dict[int, list[AnswerText]] = {}
    for answer, question, student, response in answers:
        by_question.setdefault(question, []).append(AnswerText(student=student, answer=answer, text=_text(response)))
    questions = (
        Question.objects.filter(pk__in=by_question).order_by("pk").values_list("pk", "prompt", "reference_answer")
    )
    return [
        QuestionAnswers(question=pk, prompt=prompt, reference=reference, answers=by_question[pk])
        for pk, prompt, reference in questions
    ]


@dataclass(frozen=True)
class EvidenceRow:
    """One question of a pair, side by side."""

    label: str
    prompt: str
    text_a: str
    text_b: str
    cosine: float
    cosine_a: float
    cosine_b: float
    lexical: float
    lexical_a: float
    lexical_b: float
    by_wording: bool
    by_meaning: bool


@dataclass(frozen=True)
class PairRow:
    rank: int
    cluster: int
    student_a: str
    username_a: str
    student_b: str
    username_b: str
    questions: int
    strength: float
    evidence: list[EvidenceRow]


@dataclass(frozen=True)
class ClusterRow:
    number: int
    students: list[str]
    pairs: int


@dataclass
class SimilarityView:
    report: SimilarityReport | None
    pairs: list[PairRow] = field(default_factory=list)
    clusters: list[ClusterRow] = field(default_factory=list)

    @property
    def in_progress(self) -> bool:
        return self.report is not None and self.report.status in (
            SimilarityReport.Status.QUEUED,
            SimilarityReport.Status.RUNNING,
        )

    @property
    def computed_at(self) -> datetime | None:
        return self.report.computed_at if self.report else None


def similarity_report_view(*, assignment: Assignment, actor: Any) -> SimilarityView:
    """The assignment's report as the staff page shows it, strongest pair first; a constant number
    of queries whatever the number of pairs (the report, its pairs with both students, the answers
    and the questions of the evidence)."""
    policy.assignment_staff_view(actor, assignment)
    report = SimilarityReport.objects.filter(assignment=assignment).first()
    if report is None:
        return SimilarityView(report=None)
    pairs = list(report.pairs.select_related("student_a", "student_b").order_by("rank"))
    evidence = [e for p in pairs for e in p.evidence]
    answer_ids = {e[k] for e in evidence for k in ("answer_a", "answer_b")}
    texts = {pk: _text(r) for pk, r in Answer.objects.filter(pk__in=answer_ids).values_list("pk", "response")}
    questions = {
        q.pk: q for q in Question.objects.filter(pk__in={e["question"] for e in evidence}).select_related("chapter")
    }
    rows = [
        PairRow(
            rank=p.rank,
            cluster=p.cluster,
            student_a=p.student_a.shown_name,
            username_a=p.student_a.username,
            student_b=p.student_b.shown_name,
            username_b=p.student_b.username,
            questions=p.questions,
            strength=p.strength,
            evidence=[
                EvidenceRow(
                    label=questions[e["question"]].column_label,
                    prompt=questions[e["question"]].prompt,
                    text_a=texts.get(e["answer_a"], ""),
                    text_b=texts.get(e["answer_b"], ""),
                    cosine=e["cosine"],
                    cosine_a=e["cosine_a"],
                    cosine_b=e["cosine_b"],
                    lexical=e["lexical"],
                    lexical_a=e["lexical_a"],
                    lexical_b=e["lexical_b"],
                    by_wording=e["by_wording"],
                    by_meaning=e["by_meaning"],
                )
                for e in p.evidence
                if e["question"] in questions
            ],
        )
        for p in pairs
    ]
    return SimilarityView(report=report, pairs=rows, clusters=_clusters(rows))


def _clusters(rows: list[PairRow]) -> list[ClusterRow]:
    members: dict[int, dict[str, None]] = {}
    counts: dict[int, int] = {}
    for row in rows:  # strongest first, so clusters come in the order of their strongest pair
        names = members.setdefault(row.cluster, {})
        names.update(dict.fromkeys([row.student_a, row.student_b]))
        counts[row.cluster] = counts.get(row.cluster, 0) + 1
    return [ClusterRow(number=n, students=list(names), pairs=counts[n]) for n, names in members.items()]
