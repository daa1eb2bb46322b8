"""What every training run shares: fixed seeds, and the optimisation loop (linear warm-up then
linear decay of every group's rate, gradient clipping on the encoder, a running loss logged every
50 steps with the time left)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import torch
from torch import nn

Batch = TypeVar("Batch")
LOG_EVERY = 50


def fix_seeds(seed: int, threads: int = 0) -> None:
    """The same data, settings and thread count give the same model."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_flush_denormal(True)
    if threads:
        torch.set_num_threads(threads)


def optimise(
    plan: Sequence[Batch],
    optimizer: torch.optim.Optimizer,
    clipped: list[nn.Parameter],
    loss_of: Callable[[Batch], torch.Tensor],
    *,
    warmup: float,
    log: Callable[[str], None],
    label: str = "step",
    status: Callable[[], str] = lambda: "",
) -> None:
    """One optimiser step per batch of `plan`; `status` adds the model's own figures to the log."""
    total = len(plan)
    warm = max(1, int(total * warmup))
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    started, running = time.monotonic(), 0.0
    for step, batch in enumerate(plan, start=1):
        scale = step / warm if step <= warm else max(0.0, (total - step) / max(1, total - warm))
        for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
            group["lr"] = lr * scale
        loss = loss_of(batch)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(clipped, 5.0)
        optimizer.step()
        running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
        if step % LOG_EVERY == 0 or step == total:
            elapsed = time.monotonic() - started
            log(
                f"{label} {step}/{total} loss {running:.4f}{status()} {elapsed / 60:.1f} min "
                f"(eta {elapsed / step * (total - step) / 60:.0f} min)"
            )
