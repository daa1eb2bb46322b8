"""Flags of the training variants on trial, shared by `python -m grading.training` and
`bench/accuracy.py` (no torch here: the benchmark imports it before it knows whether it trains)."""

from __future__ import annotations

import argparse


def add_trial_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--qat",
        action="store_true",
        help="quantisation-aware training (on trial; the shipped artifacts were trained without it)",
    )
    parser.add_argument("--lr", type=float, default=None, help="encoder learning rate (default: the method's)")
    parser.add_argument("--frozen", type=int, default=0, help="keep the first N layers as shipped (not trained)")
