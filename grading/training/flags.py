"""Flags of the training variants on trial, shared by `python -m grading.training` and
`bench/accuracy.py` (no torch here: the benchmark imports it before it knows whether it trains)."""

from __future__ import annotations

import argparse


def add_trial_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--qat",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="quantisation-aware training (default: on for --cross, whose shipped model needs it; off for ft-3's)",
    )
    parser.add_argument("--lr", type=float, default=None, help="encoder learning rate (default: the method's)")
    parser.add_argument("--frozen", type=int, default=0, help="keep the first N layers as shipped (not trained)")
    parser.add_argument(
        "--contrast",
        type=float,
        default=None,
        help="cross-encoder: share of short correct answers also trained on made wrong (default: CrossSettings')",
    )
