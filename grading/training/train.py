"""Fine-tune the judge: the first layers of multilingual-e5-small as a cross-encoder.

Loss per example (weighted by data set, see `DATASET_WEIGHTS`):
* overall: binary cross-entropy of the overall head against the score fraction;
* per key point: cross-entropy of each slot's covered head where the point's label is known,
  and of its contradiction head where SemEval says whether the answer contradicts it;
* aggregate: the rubric-weighted mean of the slots' covered probabilities against the score
  fraction, so that the points a teacher sees explain the score.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from grading.engine import e5file
from grading.engine.judge_input import MAX_SLOTS, judge_text, slot_of

from .data import Example
from .model import CrossEncoder
from .tokenizer import Tokenizer

N_OUTPUTS = 2 * MAX_SLOTS + 1
DATASET_WEIGHTS = {
    "scientsbank": 1.0,
    "beetle": 0.8,
    "saf-en": 1.0,
    "saf-de": 0.7,
    "le-zh": 2.0,
    "seed": 2.0,
    "composite": 1.0,
    "sts-zh": 0.4,
}
CONTRA_WEIGHT = 0.5
CLIP = 1.0


@dataclass
class Settings:
    layers: int = 6
    epochs: float = 2.0
    batch_tokens: int = 3072  # padded tokens per batch (memory and speed: ~1 s per batch here)
    max_batch: int = 48
    lr: float = 4e-5
    head_lr: float = 2e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 0  # 0: all cores


@dataclass
class Encoded:
    ids: list[int]
    example: Example


def encode_all(examples: Sequence[Example], tokenizer: Tokenizer) -> list[Encoded]:
    count = lambda text: len(tokenizer.encode(text))  # noqa: E731
    return [Encoded(tokenizer.encode(judge_text(e.question, e.points, e.answer, count)), e) for e in examples]


def batches(items: list[Encoded], settings: Settings, rng: random.Random) -> list[list[Encoded]]:
    """Length-sorted batches under a padded-token budget, in random order (less padding)."""
    order = sorted(range(len(items)), key=lambda i: (len(items[i].ids), rng.random()))
    out, current, longest = [], [], 0
    for i in order:
        n = len(items[i].ids)
        if current and (
            max(longest, n) * (len(current) + 1) > settings.batch_tokens or len(current) >= settings.max_batch
        ):
            out.append(current)
            current, longest = [], 0
        current.append(items[i])
        longest = max(longest, n)
    if current:
        out.append(current)
    rng.shuffle(out)
    return out


def tensors(batch: list[Encoded]) -> dict[str, torch.Tensor]:
    b, t = len(batch), max(len(x.ids) for x in batch)
    ids = torch.ones((b, t), dtype=torch.long)
    mask = torch.zeros((b, t), dtype=torch.long)
    slot_t = torch.zeros((b, MAX_SLOTS))
    slot_m = torch.zeros((b, MAX_SLOTS))
    con_t = torch.zeros((b, MAX_SLOTS))
    con_m = torch.zeros((b, MAX_SLOTS))
    w = torch.zeros((b, MAX_SLOTS))
    frac = torch.zeros(b)
    sw = torch.zeros(b)
    for r, item in enumerate(batch):
        e = item.example
        ids[r, : len(item.ids)] = torch.tensor(item.ids)
        mask[r, : len(item.ids)] = 1
        frac[r] = e.fraction
        sw[r] = e.weight * DATASET_WEIGHTS.get(e.dataset, 1.0)
        merged = len(e.points) > MAX_SLOTS
        for i, (s, c, weight) in enumerate(zip(e.slots, e.contra, e.weights, strict=True)):
            k = slot_of(i)
            w[r, k] += max(weight, 0.0)
            if merged and k == MAX_SLOTS - 1:
                continue  # the last slot holds several points: only their total is known
            if s is not None:
                slot_t[r, k], slot_m[r, k] = s, 1.0
            if c is not None:
                con_t[r, k], con_m[r, k] = c, 1.0
    return {
        "ids": ids,
        "mask": mask,
        "slot_t": slot_t,
        "slot_m": slot_m,
        "con_t": con_t,
        "con_m": con_m,
        "w": w,
        "frac": frac,
        "sw": sw,
    }


def loss_of(out: torch.Tensor, b: dict[str, torch.Tensor]) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits
    cov, con, overall = out[:, :MAX_SLOTS], out[:, MAX_SLOTS : 2 * MAX_SLOTS], out[:, -1]
    l_overall = bce(overall, b["frac"], reduction="none")
    l_slot = (bce(cov, b["slot_t"], reduction="none") * b["slot_m"]).sum(1) / b["slot_m"].sum(1).clamp(min=1)
    l_con = (bce(con, b["con_t"], reduction="none") * b["con_m"]).sum(1) / b["con_m"].sum(1).clamp(min=1)
    agg = (torch.sigmoid(cov) * b["w"]).sum(1) / b["w"].sum(1).clamp(min=1e-6)
    agg = agg.clamp(1e-4, 1 - 1e-4)
    l_agg = -(b["frac"] * agg.log() + (1 - b["frac"]) * (1 - agg).log())
    per = l_overall + l_agg + l_slot + CONTRA_WEIGHT * l_con
    return (per * b["sw"]).sum() / b["sw"].sum()


def train(
    examples: Sequence[Example],
    base: e5file.ModelFile,
    tokenizer: Tokenizer,
    settings: Settings,
    log: Callable[[str], None] = print,
) -> CrossEncoder:
    random.seed(settings.seed)
    np.random.seed(settings.seed)
    torch.manual_seed(settings.seed)
    torch.set_flush_denormal(True)  # tiny gradients early on are denormals: slow on CPUs
    if settings.threads:
        torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)
    started = time.monotonic()
    items = encode_all(examples, tokenizer)
    log(f"encoded {len(items)} examples in {time.monotonic() - started:.0f}s, {sum(len(i.ids) for i in items)} tokens")
    model = CrossEncoder(base, settings.layers, N_OUTPUTS)
    head_params = [*model.head.parameters(), model.scale]
    body_params = [
        p for n, p in model.named_parameters() if p.requires_grad and not (n.startswith("head") or n == "scale")
    ]
    optimizer = torch.optim.AdamW(
        [{"params": body_params, "lr": settings.lr}, {"params": head_params, "lr": settings.head_lr}],
        weight_decay=settings.weight_decay,
    )
    epochs = math.ceil(settings.epochs)
    plan = [batches(items, settings, rng) for _ in range(epochs)]
    fraction_last = settings.epochs - (epochs - 1)
    plan[-1] = plan[-1][: max(1, round(len(plan[-1]) * fraction_last))]
    total = sum(len(p) for p in plan)
    warm = max(1, int(total * settings.warmup))
    base_lrs = [g["lr"] for g in optimizer.param_groups]
    step, running = 0, 0.0
    model.train()
    for epoch, epoch_batches in enumerate(plan, start=1):
        for batch in epoch_batches:
            scale = (step + 1) / warm if step < warm else max(0.0, (total - step) / max(1, total - warm))
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["lr"] = lr * scale
            b = tensors(batch)
            _, out = model(b["ids"], b["mask"])
            loss = loss_of(out, b)
            optimizer.zero_grad()
            loss.backward()
            if CLIP:
                nn.utils.clip_grad_norm_(body_params, CLIP)
            optimizer.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 50 == 0 or step == total:
                elapsed = time.monotonic() - started
                log(
                    f"epoch {epoch} step {step}/{total} loss {running:.4f} {elapsed / 60:.1f} min (eta {elapsed / step * (total - step) / 60:.0f} min)"
                )
    model.eval()
    return model


@torch.no_grad()
def predict(model: CrossEncoder, items: list[Encoded], batch_size: int = 64) -> np.ndarray:
    """Head outputs (probabilities) in the float model, for checks before quantisation."""
    out = np.zeros((len(items), N_OUTPUTS), dtype=np.float32)
    order = sorted(range(len(items)), key=lambda i: len(items[i].ids))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        b = tensors([items[i] for i in idx])
        _, logits = model(b["ids"], b["mask"])
        out[idx] = torch.sigmoid(logits).numpy()
    return out
