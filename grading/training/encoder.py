"""Fine-tune multilingual-e5-small as a grading embedder: cosine(key point, answer) ~ coverage.

A bi-encoder keeps the grader's cost where it was (every answer embedded once, key points once
per question) and starts from what e5 already knows: its cosine between a reference and an
answer is informative before any training (SciEntsBank macro-F1 0.65 with the best threshold).
Training sharpens it on graded answers: per key point, p = sigmoid(a * (cos - c)) with a, c
learned alongside the layers (starting from the previous grader's constants), against

* the point's label where known (single-point rubrics: the answer's score),
* the rubric-weighted mean of the points' p against the answer's score (multi-point rubrics),
* similarity / 5 for the Chinese STS pairs (paraphrase evidence in Chinese).

Contradictory answers are graded 0 and so pushed away from the point they contradict, which is
what a similarity model gets wrong today.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from grading.engine import e5file

from .data import Example
from .loop import fix_seeds, optimise
from .model import Encoder
from .tokenizer import Tokenizer

DATASET_WEIGHTS = {
    "scientsbank": 1.0,
    "beetle": 0.8,
    "saf-en": 1.0,
    "saf-de": 0.7,
    "le-zh": 2.0,
    "seed": 2.0,
    "sts-zh": 0.5,
}
MAX_TOKENS = 256  # per text in training (answers are embedded whole; long ones are cut)


@dataclass
class EncoderSettings:
    layers: int = 12
    epochs: float = 1.0
    batch: int = 32  # examples per step (their distinct key points are embedded once)
    lr: float = 2e-5
    head_lr: float = 1e-2
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 0
    slope: float = 13.5  # initial a, c: the previous grader's meaning constants
    center: float = 0.872
    fake_q4: bool = False  # True: train against the Q4_0 weights the engine runs (`--qat`)
    frozen: int = 0  # the first N layers are not trained (`--frozen`)


QAT_LR = 5e-5  # quantisation-aware: a weight must move across a Q4 step to change anything


class Embedder(nn.Module):
    """The trainable encoder plus the two numbers of the coverage logistic."""

    def __init__(self, base: e5file.ModelFile, settings: EncoderSettings) -> None:
        super().__init__()
        self.encoder = Encoder(base, settings.layers, settings.fake_q4, settings.frozen)
        self.slope = nn.Parameter(torch.tensor(settings.slope))
        self.center = nn.Parameter(torch.tensor(settings.center))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(ids, mask)

    def coverage(self, cos: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.slope * (cos - self.center))


def _pad(seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    t = max(len(s) for s in seqs)
    ids = torch.ones((len(seqs), t), dtype=torch.long)
    mask = torch.zeros((len(seqs), t), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def _embed_many(model: Embedder, seqs: list[list[int]], chunk_tokens: int = 4096) -> torch.Tensor:
    """Embed texts in length-sorted sub-batches (less padding); rows in the input order."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out: list[torch.Tensor | None] = [None] * len(seqs)
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and len(seqs[order[end]]) * (end - start + 1) <= chunk_tokens:
            end += 1
        idx = order[start:end]
        ids, mask = _pad([seqs[i] for i in idx])
        vectors = model(ids, mask)
        for row, i in enumerate(idx):
            out[i] = vectors[row]
        start = end
    return torch.stack(out)  # type: ignore[arg-type]


def train_encoder(
    examples: Sequence[Example],
    base: e5file.ModelFile,
    tokenizer: Tokenizer,
    settings: EncoderSettings,
    log: Callable[[str], None] = print,
) -> Embedder:
    fix_seeds(settings.seed, settings.threads)
    cache: dict[str, list[int]] = {}

    def ids_of(text: str) -> list[int]:
        if text not in cache:
            ids = tokenizer.encode(" ".join(text.split()) or " ")
            cache[text] = ids if len(ids) <= MAX_TOKENS else [*ids[: MAX_TOKENS - 1], ids[-1]]
        return cache[text]

    usable = [e for e in examples if e.answer.strip() and e.points]
    model = Embedder(base, settings)
    body = [p for p in model.encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": body, "lr": settings.lr},
            {"params": [model.slope, model.center], "lr": settings.head_lr, "weight_decay": 0.0},
        ],
        weight_decay=settings.weight_decay,
    )
    rng = random.Random(settings.seed)
    plan: list[list[Example]] = []
    for _ in range(math.ceil(settings.epochs)):
        order = usable[:]
        rng.shuffle(order)
        plan.extend(order[i : i + settings.batch] for i in range(0, len(order), settings.batch))
    total = max(1, round(len(plan) * settings.epochs / math.ceil(settings.epochs)))
    plan = plan[:total]
    model.train()

    def loss_of(batch: list[Example]) -> torch.Tensor:
        texts = list(dict.fromkeys([t for e in batch for t in (*e.points, e.answer)]))
        index = {t: i for i, t in enumerate(texts)}
        vectors = _embed_many(model, [ids_of(t) for t in texts])
        losses, weights = [], []
        for e in batch:
            v = vectors[index[e.answer]]
            cos = torch.stack([vectors[index[p]] @ v for p in e.points])
            p = model.coverage(cos).clamp(1e-4, 1 - 1e-4)
            w = torch.tensor([max(x, 0.0) for x in e.weights]) + 1e-6
            agg = (p * w).sum() / w.sum()
            y = torch.tensor(e.fraction)
            loss = -(y * agg.log() + (1 - y) * (1 - agg).log())
            known = [(k, s) for k, s in enumerate(e.slots) if s is not None]
            if known and len(e.points) > 1:
                for k, s in known:
                    loss = loss + -(s * p[k].log() + (1 - s) * (1 - p[k]).log()) / len(known)
            losses.append(loss)
            weights.append(e.weight * DATASET_WEIGHTS.get(e.dataset, 1.0))
        w = torch.tensor(weights)
        return (torch.stack(losses) * w).sum() / w.sum()

    def status() -> str:
        return f" a {model.slope.item():.2f} c {model.center.item():.3f}"

    optimise(plan, optimizer, body, loss_of, warmup=settings.warmup, log=log, status=status)
    model.eval()
    return model
