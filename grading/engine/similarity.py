"""Which students' free-text answers are near-identical beyond what the reference answer explains.

Plain Python (no Django): questions with their students' answers in, flagged pairs and clusters out.
`grading.services.similarity` feeds it from the database and stores what it returns.

Two answers to a question are *suspiciously close* when they are close to each other but not both
close to what every student was given or taught: the reference answer and the prompt (together,
the question's *explanations*). For each answer, `explained` is its highest similarity to an
explanation; a pair's *excess* is its own similarity minus the higher `explained` of the two.
Two honest paraphrases of the reference are close to each other and to the reference (small
excess); two answers copied from one another share what neither shares with the reference (large
excess). Two measures, each with its own thresholds (`Thresholds`, documented in docs/grading.md):

- meaning: cosine of the engine's multilingual sentence embeddings (catches a reworded copy);
- wording: cosine of TF-IDF character n-gram vectors of the normalised texts (catches exact and
  near-exact copies, short ones included, which embeddings of short texts blur).

A pair of students is flagged when at least `min_questions` of their answers are suspiciously
close (one coincidence is not evidence), at least `min_wording` of them by wording; clusters are the connected components of flagged pairs.
Everything is vectorised per question (an n x n matrix for n answers: 300 students cost
0.7 MB of float64 per matrix); Python loops run only over questions and over flagged entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import normalize_compact, normalize_text

ALGORITHM_VERSION = "similarity-1"

Embed = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Thresholds:
    """When two answers count as suspiciously close (docs/grading.md, "Similarity report", says why)."""

    pair_cosine: float = 0.96  # meaning: the two answers' embeddings at least this close ...
    excess: float = 0.09  # ... and this much closer to each other than either is to an explanation
    lexical: float = 0.70  # wording: character n-gram cosine at least this ...
    lexical_excess: float = 0.35  # ... and this much above either answer's to an explanation
    min_questions: int = 2  # suspiciously close answers on at least this many questions ...
    min_wording: int = 1  # ... of which at least this many by wording (meaning alone is weak evidence)
    min_chars: int = 6  # answers shorter than this (normalised, without spaces) are not compared

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class AnswerText:
    student: int
    answer: int
    text: str


@dataclass(frozen=True)
class QuestionAnswers:
    question: int
    prompt: str
    reference: str
    answers: Sequence[AnswerText]


@dataclass(frozen=True)
class Evidence:
    """One question on which a pair's answers are suspiciously close (`a` is the lower student id)."""

    question: int
    answer_a: int
    answer_b: int
    cosine: float  # the two answers' meaning
    cosine_a: float  # each one's meaning to the closest explanation (reference or prompt)
    cosine_b: float
    lexical: float  # the two answers' wording
    lexical_a: float
    lexical_b: float
    by_meaning: bool
    by_wording: bool

    @property
    def excess(self) -> float:
        """How far the pair is beyond what the explanations account for, by the measure that flagged it."""
        meaning = self.cosine - max(self.cosine_a, self.cosine_b) if self.by_meaning else 0.0
        wording = self.lexical - max(self.lexical_a, self.lexical_b) if self.by_wording else 0.0
        return max(meaning, wording)


@dataclass
class FlaggedPair:
    student_a: int
    student_b: int
    evidence: list[Evidence] = field(default_factory=list)
    cluster: int = 0

    @property
    def questions(self) -> int:
        return len(self.evidence)

    @property
    def by_wording(self) -> int:
        return sum(e.by_wording for e in self.evidence)

    @property
    def strength(self) -> float:
        """The sum of the excesses: more questions, and closer copies, rank higher."""
        return round(sum(e.excess for e in self.evidence), 4)


@dataclass
class SimilarityResult:
    pairs: list[FlaggedPair]  # strongest first
    clusters: list[list[int]]  # student ids, the cluster of the strongest pair first
    questions: int  # questions compared
    students: int  # students with at least one answer compared


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def _wording(texts: list[str], explanations: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Character n-gram TF-IDF cosines: answers x answers, and each answer's best to an explanation.

    The IDF is fitted on the question's own answers and explanations, so n-grams that the whole
    class writes (the course's terms, the reference's phrases) weigh little and shared rare
    wording weighs much."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 4), sublinear_tf=True, lowercase=False)
    matrix = vectorizer.fit_transform(texts + explanations)  # rows are L2-normalised
    answers, explained = matrix[: len(texts)], matrix[len(texts) :]
    pair = (answers @ answers.T).toarray()
    best = (answers @ explained.T).toarray().max(axis=1) if explanations else np.zeros(len(texts))
    return pair, best


def _question_evidence(
    question: QuestionAnswers, vectors: dict[str, np.ndarray], thresholds: Thresholds
) -> list[tuple[int, int, Evidence]]:
    """(student a, student b, evidence) for every pair of the question's answers that is suspiciously close."""
    answers = [a for a in question.answers if len(normalize_compact(a.text)) >= thresholds.min_chars]
    answers.sort(key=lambda a: a.student)
    if len(answers) < 2:
        return []
    texts = [normalize_text(a.text) for a in answers]
    explanations = [normalize_text(t) for t in (question.reference, question.prompt) if t.strip()]
    meaning = _unit_rows(np.stack([vectors[a.text] for a in answers]).astype(np.float64))
    cosine = meaning @ meaning.T
    if explanations:
        explained = _unit_rows(np.stack([vectors[t] for t in (question.reference, question.prompt) if t.strip()]))
        cosine_best = (meaning @ explained.T).max(axis=1)
    else:
        cosine_best = np.zeros(len(answers))
    lexical, lexical_best = _wording(texts, explanations)
    by_meaning = (cosine >= thresholds.pair_cosine) & (
        cosine - np.maximum.outer(cosine_best, cosine_best) >= thresholds.excess
    )
    by_wording = (lexical >= thresholds.lexical) & (
        lexical - np.maximum.outer(lexical_best, lexical_best) >= thresholds.lexical_excess
    )
    students = np.array([a.student for a in answers])
    different = students[:, None] != students[None, :]
    rows, cols = np.nonzero(np.triu((by_meaning | by_wording) & different, k=1))
    return [
        (
            answers[i].student,
            answers[j].student,
            Evidence(
                question=question.question,
                answer_a=answers[i].answer,
                answer_b=answers[j].answer,
                cosine=round(float(cosine[i, j]), 4),
                cosine_a=round(float(cosine_best[i]), 4),
                cosine_b=round(float(cosine_best[j]), 4),
                lexical=round(float(lexical[i, j]), 4),
                lexical_a=round(float(lexical_best[i]), 4),
                lexical_b=round(float(lexical_best[j]), 4),
                by_meaning=bool(by_meaning[i, j]),
                by_wording=bool(by_wording[i, j]),
            ),
        )
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
    ]


def texts_to_embed(questions: Sequence[QuestionAnswers]) -> list[str]:
    """The distinct texts of every question (answers, references, prompts), for one batched embedding."""
    texts = (t for q in questions for t in (q.reference, q.prompt, *(a.text for a in q.answers)))
    return list(dict.fromkeys(t for t in texts if t.strip()))


def _clusters(pairs: list[FlaggedPair]) -> list[list[int]]:
    """Connected components of the flagged pairs; numbers each pair's cluster (pairs strongest first)."""
    students = sorted({s for p in pairs for s in (p.student_a, p.student_b)})
    index = {s: i for i, s in enumerate(students)}
    edges = csr_matrix(
        (np.ones(len(pairs)), ([index[p.student_a] for p in pairs], [index[p.student_b] for p in pairs])),
        shape=(len(students), len(students)),
    )
    _, labels = connected_components(edges, directed=False)
    order: dict[int, int] = {}  # component label -> cluster number, by the strongest pair in it
    for pair in pairs:
        pair.cluster = order.setdefault(int(labels[index[pair.student_a]]), len(order) + 1)
    members: dict[int, list[int]] = defaultdict(list)
    for student in students:
        members[order[int(labels[index[student]])]].append(student)
    return [members[number] for number in sorted(members)]


def similar_pairs(
    questions: Sequence[QuestionAnswers], embed: Embed, thresholds: Thresholds | None = None
) -> SimilarityResult:
    """Flag the pairs of students whose answers are suspiciously close on `min_questions` questions."""
    thresholds = thresholds or Thresholds()
    texts = texts_to_embed(questions)
    rows = np.asarray(embed(texts)) if texts else np.zeros((0, 0))
    vectors = dict(zip(texts, rows, strict=True))
    found: dict[tuple[int, int], FlaggedPair] = {}
    for question in questions:
        for a, b, item in _question_evidence(question, vectors, thresholds):
            found.setdefault((a, b), FlaggedPair(student_a=a, student_b=b)).evidence.append(item)
    pairs = [
        p for p in found.values() if p.questions >= thresholds.min_questions and p.by_wording >= thresholds.min_wording
    ]
    pairs.sort(key=lambda p: (-p.questions, -p.strength, p.student_a, p.student_b))
    compared = {
        a.student for q in questions for a in q.answers if len(normalize_compact(a.text)) >= thresholds.min_chars
    }
    return SimilarityResult(
        pairs=pairs,
        clusters=_clusters(pairs) if pairs else [],
        questions=len(questions),
        students=len(compared),
    )
