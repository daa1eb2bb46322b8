"""Value types shared by every grader of the scoring core.

The core is plain Python (no Django): Django code builds a `QuestionKey` from a question's
models, passes the raw responses, and stores the returned `Result`s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

QuestionKind = Literal[
    "single_choice",
    "multiple_choice",
    "true_false",
    "numeric",
    "short_text",
    "enumeration",
    "free_text",
]
OBJECTIVE_KINDS: frozenset[str] = frozenset(
    {"single_choice", "multiple_choice", "true_false", "numeric", "short_text", "enumeration"}
)


@dataclass(frozen=True)
class Choice:
    key: str  # stable identifier the response refers to ("a", "b", or a database id as text)
    text: str
    correct: bool = False


@dataclass(frozen=True)
class AcceptedItem:
    """An accepted answer (short text) or an accepted item (enumeration) with its synonyms."""

    text: str
    synonyms: tuple[str, ...] = ()
    is_regex: bool = False


@dataclass(frozen=True)
class NumericKey:
    value: float
    abs_tol: float = 0.0
    rel_tol: float = 0.0


@dataclass(frozen=True)
class RubricPoint:
    text: str
    weight: float = 1.0
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuestionKey:
    """Everything a grader needs to know about one question (one version of its key)."""

    kind: QuestionKind
    max_points: float
    prompt: str = ""
    reference: str = ""  # Markdown reference answer
    references: tuple[str, ...] = ()  # further reference answers, if any
    choices: tuple[Choice, ...] = ()
    accepted: tuple[AcceptedItem, ...] = ()
    numeric: NumericKey | None = None
    min_items: int = 0  # enumeration: "list at least N"; 0 means every accepted item
    rubric: tuple[RubricPoint, ...] = ()
    lang: str = "en"  # language of the feedback: "en" or "zh"


PointState = Literal["covered", "partly", "missing", "contradicted"]


@dataclass(frozen=True)
class KeyPointFeedback:
    text: str
    covered: bool
    strength: float  # 0..1, how strongly the answer supports this key point
    state: PointState | Literal[""] = ""  # the trained grader's judgement ("" from older graders)
    evidence: str = ""  # the part of the answer that covers the point, where one was found


@dataclass(frozen=True)
class Result:
    """What a grader says about one response. Storage (`grading.services.writing`) reads only these
    typed fields; `details` is the grader's own diagnostics, stored as they are and never read back."""

    score: float
    max_points: float
    feedback: str  # human-readable, in the question's language
    confidence: float  # 0..1
    needs_review: bool
    grader: str  # the grader and its version that scored it ("obj-1", "ft-2", "ft-3:judge-…"), stored with the grade
    pending: bool = False  # no score at all: a person must grade it (stored without a score)
    flags: tuple[str, ...] = ()  # e.g. "empty", "truncated", "keyword_stuffing", "repeats_question"
    key_points: tuple[KeyPointFeedback, ...] = ()  # free text: each rubric point covered or missing
    recognised: tuple[str, ...] = ()  # enumeration: the accepted items found
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GradedExample:
    """An answer an instructor scored; used to calibrate the grading of its question."""

    response: Any
    score: float


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors (one row per text)."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...
