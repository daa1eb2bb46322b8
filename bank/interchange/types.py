"""Format-neutral questions: what the Moodle XML and GIFT readers produce and the writers take.

Plain Python (no Django). Kinds are the bank's own kind names (`QuestionKind` values) so that the
mapping to models is one-to-one; a choice's `fraction` keeps Moodle's credit (1.0 = 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field

SUPPORTED_KINDS = ("single_choice", "multiple_choice", "true_false", "short_text", "numeric", "free_text")


@dataclass
class ChoiceItem:
    text: str
    fraction: float  # 1.0 = full credit, 0 = none, negative = penalty (multiple answers)
    feedback: str = ""

    @property
    def is_correct(self) -> bool:
        return self.fraction > 0


@dataclass
class AcceptedItem:
    """One accepted short answer with its variants; `is_regex` for a Moodle `*` wildcard answer."""

    text: str
    synonyms: list[str] = field(default_factory=list)
    is_regex: bool = False


@dataclass
class Item:
    """One question as a file holds it."""

    kind: str
    name: str  # Moodle <name> / GIFT ::title:: ("" when the file gives none)
    prompt: str  # Markdown
    category: str = ""  # "$course$/Chapter 8 SSL" or "$course$/Chapter 8 SSL/Part I. Autoencoder"
    choices: list[ChoiceItem] = field(default_factory=list)  # single/multiple choice, true/false
    accepted: list[AcceptedItem] = field(default_factory=list)  # short answer
    numeric_value: float | None = None
    numeric_tolerance: float = 0.0
    reference_answer: str = ""  # Markdown: essay grader info, else the general feedback
    points: float | None = None
    line: int = 0  # where the question starts in the file (1-based; 0 = unknown)
    warnings: list[str] = field(default_factory=list)  # what was read but could not be kept

    @property
    def where(self) -> str:
        label = f" '{self.name}'" if self.name else ""
        return f"line {self.line}: question{label}" if self.line else f"question{label}"


@dataclass(frozen=True)
class Problem:
    """Something a reader could not take: an unsupported type, an unknown element, a syntax error."""

    line: int | None
    message: str
    where: str = ""  # XML element path, e.g. "quiz/question[3]/subquestion"

    def __str__(self) -> str:
        place = f"line {self.line}" if self.line else ""
        if self.where:
            place = f"{place} ({self.where})" if place else self.where
        return f"{place}: {self.message}" if place else self.message


@dataclass
class ReadResult:
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: the file imports nothing unless skipped

    @property
    def warnings(self) -> list[str]:
        return [f"{item.where}: {w}" for item in self.items for w in item.warnings]


class InterchangeError(ValueError):
    """A file that cannot be read at all (not XML, not UTF-8, empty) or whose problems block the import."""

    def __init__(self, message: str, problems: list[Problem] | None = None, line: int | None = None) -> None:
        self.message = message
        self.problems = problems or []
        self.line = line
        super().__init__(message)
