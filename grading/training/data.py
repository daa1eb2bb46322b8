"""Training examples for the grading model, from `../shared/data/asag/` and the team's own labelled answers.

Every example is (question, key points, answer) with what is known about it:

* `fraction`: the human score as a share of the question's points (always known);
* `slots`: per key point, the share of it the answer covers, where known: for a question whose
  rubric is a single point (most SemEval questions) it is the answer's score; for multi-point
  rubrics only the total is known;
* `contra`: per key point, whether the answer contradicts it (SemEval's 3-way `contradictory`).

Key points come from the platform's own rubric proposer (`propose_rubric`), exactly as the
grader derives them from a reference answer in production, or from a person's rubric where the
team wrote one.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grading.engine.rubric import clean_markdown, propose_rubric

ASAG_FILES = {
    "scientsbank": "scientsbank-train-3way.jsonl",
    "beetle": "beetle-train-3way.jsonl",
    "saf-en": "saf-en.jsonl",
    "saf-de": "saf-de.jsonl",
    "le-zh": "le-zh.jsonl",
}
STS_FILE = "stsb-zh-mt.jsonl"
TEAM_FILES = ("seed_labelled.jsonl", "team_labelled.jsonl")  # in bench/data/


@dataclass
class Example:
    dataset: str
    group: str  # question id, prefixed by the data set: whole groups are held out together
    lang: str
    question: str
    points: list[str]
    weights: list[float]
    answer: str
    fraction: float
    slots: list[float | None] = field(default_factory=list)
    contra: list[float | None] = field(default_factory=list)
    weight: float = 1.0  # sample weight in the loss
    label: str = ""  # SemEval/SAF label, kept for reports
    max_points: float = 1.0
    reference: str = ""  # the reference answer (Markdown), as the grader's key holds it

    def __post_init__(self) -> None:
        if not self.slots:
            single = len(self.points) == 1
            self.slots = [self.fraction if single else None for _ in self.points]
        if not self.contra:
            known = self.label in ("correct", "contradictory", "incorrect")
            value = float(self.label == "contradictory") if known else None
            self.contra = [value if len(self.points) == 1 else (0.0 if value == 0.0 else None) for _ in self.points]


def _lang(row: dict) -> str:
    return "zh" if row.get("lang") in ("zh", "mixed") else "en"


def _rubric(question: str, reference: str, lang: str, cache: dict) -> tuple[list[str], list[float]]:
    key = (question, reference)
    if key not in cache:
        points = propose_rubric(reference, prompt=question, lang=lang) if reference.strip() else []
        texts = [" ".join(clean_markdown(p.text).split()) for p in points] or [
            " ".join(clean_markdown(reference).split())
        ]
        cache[key] = (texts, [p.weight for p in points] or [1.0])
    return cache[key]


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_asag(folder: Path, datasets: Iterable[str] = tuple(ASAG_FILES)) -> list[Example]:
    cache: dict = {}
    out = []
    for name in datasets:
        for row in read_jsonl(folder / ASAG_FILES[name]):
            lang = _lang(row)
            points, weights = _rubric(row.get("question", ""), row["reference"], lang, cache)
            out.append(
                Example(
                    dataset=name,
                    group=f"{name}:{row['question_id']}",
                    lang=row.get("lang", lang),
                    question=row.get("question", ""),
                    points=points,
                    weights=weights,
                    answer=row["answer"],
                    fraction=max(0.0, min(1.0, float(row["score"]) / float(row["max_points"] or 1))),
                    label=str(row.get("label", "")).lower(),
                    max_points=float(row["max_points"] or 1),
                    reference=row["reference"],
                )
            )
    return out


def load_team(folder: Path, rubrics: dict[str, tuple[list[str], list[float]]] | None = None) -> list[Example]:
    """The team's labelled answers to the shipped bank; a person's rubric where one is given."""
    cache: dict = {}
    out = []
    for file in TEAM_FILES:
        path = folder / file
        if not path.exists():
            continue
        for row in read_jsonl(path):
            lang = _lang(row)
            qid = row["question_id"]
            points, weights = (rubrics or {}).get(qid) or _rubric(row["question"], row["reference"], lang, cache)
            out.append(
                Example(
                    dataset="seed",
                    group=f"seed:{qid}",
                    lang=row.get("lang", lang),
                    question=row["question"],
                    points=list(points),
                    weights=list(weights),
                    answer=row["answer"] or "",
                    fraction=max(0.0, min(1.0, float(row["score"]) / float(row["max_points"]))),
                    label=row.get("category", ""),
                    max_points=float(row["max_points"]),
                    reference=row["reference"],
                )
            )
    return out


def load_sts(folder: Path, limit: int, seed: int) -> list[Example]:
    """Chinese sentence pairs with similarity 0..5: paraphrase evidence in Chinese, which the
    graded data has little of. Each pair is a one-point "rubric" and an "answer"."""
    rows = list(read_jsonl(folder / STS_FILE))
    random.Random(seed).shuffle(rows)
    return [
        Example(
            dataset="sts-zh",
            group=f"sts:{i}",
            lang="zh",
            question="",
            points=[row["text_a"]],
            weights=[1.0],
            answer=row["text_b"],
            fraction=float(row["similarity"]) / 5.0,
            reference=row["text_a"],
        )
        for i, row in enumerate(rows[:limit])
    ]


def load_rubric_points(path: Path | None) -> dict[str, list[dict]]:
    """A person's rubrics for the shipped bank: question ref -> its points (text, weight,
    keywords), as the platform's question key holds them."""
    if not path or not path.exists():
        return {}
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("questions", data) if isinstance(data, dict) else {}
    out = {}
    for ref, entry in entries.items():
        points = entry.get("points", []) if isinstance(entry, dict) else entry
        if points:
            out[str(ref)] = [
                {
                    "text": str(p["text"]),
                    "weight": float(p.get("weight", 1.0)),
                    "keywords": [str(k) for k in p.get("keywords") or ()],
                }
                for p in points
            ]
    return out


def load_rubrics(path: Path | None) -> dict[str, tuple[list[str], list[float]]]:
    """A person's rubrics for the shipped bank (question ref -> point texts and weights)."""
    return {
        ref: ([p["text"] for p in points], [p["weight"] for p in points])
        for ref, points in load_rubric_points(path).items()
    }
