"""The review queue: answers whose current grade needs a person, grouped by meaning.

Within one question of one assignment, answers that normalise to the same text are one group
(exact duplicates). The distinct texts are then embedded with the engine's multilingual embedder
and clustered greedily: taking the texts from the most to the least frequent, each joins the
first group whose leader (its first, most frequent text) has cosine similarity >= SAME_MEANING
with it, or starts a new group. Groups are returned largest first, so one decision covers as many
answers as possible. Choice-like answers are grouped by the exact option set only.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
from django.db.models import Count, Max, Prefetch

from bank.models import Question, QuestionKind
from grading.engine.normalize import normalize_text
from quizzes.models import Answer, Assignment, AttemptQuestion

from .models import Grade
from .selectors import SUBMITTED_STATUSES

logger = logging.getLogger(__name__)

SAME_MEANING = 0.92  # cosine of e5 passage vectors above which two answers say the same thing
TEXT_KINDS = (QuestionKind.FREE_TEXT, QuestionKind.SHORT_TEXT)


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


def get_embedder() -> Embedder:
    from grading.engine.embedding import default_embedder

    return default_embedder()


@dataclass(frozen=True)
class ReviewAnswer:
    answer_id: int
    student: str
    username: str
    response: str
    score: Decimal | None
    max_points: Decimal
    confidence: float | None
    feedback: str


@dataclass
class ReviewGroup:
    text: str  # the leader's response, shown as the group's label
    answers: list[ReviewAnswer] = field(default_factory=list)
    exact: bool = True  # every answer normalises to the same text

    @property
    def size(self) -> int:
        return len(self.answers)

    @property
    def answer_ids(self) -> list[int]:
        return [a.answer_id for a in self.answers]

    @property
    def max_points(self) -> Decimal:
        return min(a.max_points for a in self.answers)


def response_text(response: Any) -> str:
    """A response as one line of text (lists joined with "; ")."""
    if response is None:
        return ""
    if isinstance(response, list):
        return "; ".join(str(v) for v in response)
    return str(response)


def _key(question: Question, response: Any) -> str:
    if isinstance(response, list) and question.kind not in TEXT_KINDS and question.kind != QuestionKind.ENUMERATION:
        return "; ".join(sorted(str(v) for v in response))  # an option set: order does not matter
    return normalize_text(response_text(response))


def pending_review(assignment: Assignment, question: Question | None = None):
    """Answers of submitted attempts whose current grade needs review."""
    answers = Answer.objects.filter(
        attempt__assignment=assignment,
        attempt__status__in=SUBMITTED_STATUSES,
        grades__is_current=True,
        grades__status=Grade.Status.NEEDS_REVIEW,
    )
    return answers.filter(question=question) if question is not None else answers


def review_questions(assignment: Assignment) -> list[tuple[Question, int]]:
    """The assignment's questions with answers waiting for review, with how many, most first (2 queries)."""
    counts = dict(pending_review(assignment).values_list("question_id").annotate(n=Count("pk")))
    questions = Question.objects.filter(pk__in=counts).select_related("chapter")
    return sorted(((q, counts[q.pk]) for q in questions), key=lambda item: (-item[1], item[0].pk))


def cluster(vectors: np.ndarray, threshold: float = SAME_MEANING) -> list[list[int]]:
    """Greedy leader clustering of L2-normalised rows, in the given order: row indexes per cluster."""
    leaders: list[int] = []
    clusters: list[list[int]] = []
    for i in range(len(vectors)):
        if leaders:
            sims = vectors[leaders] @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                clusters[best].append(i)
                continue
        leaders.append(i)
        clusters.append([i])
    return clusters


def review_groups(
    assignment: Assignment,
    question: Question,
    *,
    embedder: Embedder | None = None,
    threshold: float = SAME_MEANING,
) -> list[ReviewGroup]:
    """The question's answers waiting for review in the assignment, grouped by meaning, largest first."""
    answers = list(
        pending_review(assignment, question)
        .select_related("attempt__student")
        .prefetch_related(Prefetch("grades", queryset=Grade.objects.filter(is_current=True), to_attr="current"))
        .order_by("pk")
    )
    points = dict(
        AttemptQuestion.objects.filter(attempt_id__in={a.attempt_id for a in answers}, question=question)
        .values_list("attempt_id")
        .annotate(p=Max("points"))
    )
    exact: dict[str, list[ReviewAnswer]] = defaultdict(list)
    for a in answers:
        grade = a.current[0]
        exact[_key(question, a.response)].append(
            ReviewAnswer(
                answer_id=a.pk,
                student=a.attempt.student.shown_name,
                username=a.attempt.student.username,
                response=response_text(a.response),
                score=grade.score,
                max_points=points.get(a.attempt_id, grade.max_points),
                confidence=grade.confidence,
                feedback=grade.feedback,
            )
        )
    keys = sorted(exact, key=lambda k: (-len(exact[k]), exact[k][0].answer_id))
    blank = [k for k in keys if not k]
    texts = [k for k in keys if k]
    clusters: list[list[str]] = [[k] for k in texts]
    if question.kind in TEXT_KINDS and len(texts) > 1:
        try:
            vectors = np.asarray((embedder or get_embedder()).embed([exact[k][0].response for k in texts]))
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms == 0, 1, norms)
            clusters = [[texts[i] for i in members] for members in cluster(vectors, threshold)]
        except Exception:  # the embedder failing must not hide the queue: fall back to exact groups
            logger.exception("review grouping: embedding failed; showing exact groups only")
    groups = [
        ReviewGroup(
            text=exact[members[0]][0].response,
            answers=[a for k in members for a in exact[k]],
            exact=len(members) == 1,
        )
        for members in clusters
    ]
    groups += [ReviewGroup(text="", answers=exact[k]) for k in blank]
    groups.sort(key=lambda g: (-g.size, g.answers[0].answer_id))
    return groups


__all__ = ["SAME_MEANING", "ReviewAnswer", "ReviewGroup", "cluster", "review_groups", "review_questions"]
