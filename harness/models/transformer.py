"""A small decoder-style transformer whose LayerNorm placement, mask and initialisation are spec
fields, so the claims that turn on them (grokking's LN position, anchor functions' init scale)
share one implementation. Attention is written out (no fused kernel) so that its maps can be read.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from harness.models.activations import activation
from harness.models.specs import TransformerSpec


class _Init:
    """Draws the weights of one model from `generator` by the spec's rule."""

    def __init__(self, spec: TransformerSpec, generator: torch.Generator):
        self.spec, self.generator = spec, generator

    def normal(self, *shape: int, std: float) -> nn.Parameter:
        if self.spec.init_std is not None:
            std = self.spec.init_std
        draw = torch.randn(*shape, generator=self.generator, dtype=self.spec.dtype)
        return nn.Parameter(std * draw)

    def linear(self, fan_in: int, fan_out: int) -> nn.Parameter:
        """An (fan_in, fan_out) matrix, LeCun normal under the per-kind rule."""
        return self.normal(fan_in, fan_out, std=fan_in ** -0.5)

    def bias(self, size: int) -> nn.Parameter | None:
        return nn.Parameter(torch.zeros(size, dtype=self.spec.dtype)) if self.spec.bias else None


def _affine(x: torch.Tensor, weight: nn.Parameter, bias: nn.Parameter | None) -> torch.Tensor:
    return x @ weight if bias is None else x @ weight + bias


def _layer_norm(spec: TransformerSpec) -> nn.LayerNorm:
    return nn.LayerNorm(spec.d_model, eps=spec.norm_eps, dtype=spec.dtype)


class _Attention(nn.Module):
    def __init__(self, spec: TransformerSpec, init: _Init):
        super().__init__()
        d = spec.d_model
        self.n_heads, self.causal = spec.n_heads, spec.causal
        self.w_qkv = init.linear(d, 3 * d)  # columns: queries, keys, values
        self.b_qkv = init.bias(3 * d)
        self.w_out = init.linear(d, d) if spec.attention_output else None
        self.b_out = init.bias(d) if spec.attention_output else None

    def _project(self, x: torch.Tensor, columns: slice) -> torch.Tensor:
        bias = None if self.b_qkv is None else self.b_qkv[columns]
        return _affine(x, self.w_qkv[:, columns], bias)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, seq, d) -> (batch, heads, seq, d_head)."""
        return x.view(*x.shape[:2], self.n_heads, -1).transpose(1, 2)

    def forward(self, x: torch.Tensor, last_only: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """The attention output at every position, or at the last one only (queries from the
        last position, keys and values from all); and the (batch, heads, queries, seq) map."""
        batch, seq, d = x.shape
        if last_only:
            queries = self._project(x[:, -1:], slice(0, d))
            keys_values = self._project(x, slice(d, None))
        else:
            projected = _affine(x, self.w_qkv, self.b_qkv)
            queries, keys_values = projected[..., :d], projected[..., d:]
        q = self._split_heads(queries)
        k, v = (self._split_heads(part) for part in keys_values.chunk(2, dim=-1))
        one_query = q.shape[2] == 1  # then broadcasting beats batches of one-row matmuls
        scores = ((q * k).sum(-1)[:, :, None] if one_query else q @ k.transpose(-1, -2))
        scores = scores / math.sqrt(q.shape[-1])
        if self.causal:
            future = torch.ones(seq, seq, dtype=torch.bool, device=x.device).triu(1)
            scores = scores.masked_fill(future[seq - q.shape[2]:], float("-inf"))
        weights = scores.softmax(dim=-1)
        mixed = (weights[:, :, 0, :, None] * v).sum(2, keepdim=True) if one_query else weights @ v
        mixed = mixed.transpose(1, 2).reshape(batch, q.shape[2], d)
        if self.w_out is None:
            return mixed, weights
        return _affine(mixed, self.w_out, self.b_out), weights


class _MLP(nn.Module):
    def __init__(self, spec: TransformerSpec, init: _Init):
        super().__init__()
        self.sigma = activation(spec.activation)
        self.w_in, self.b_in = init.linear(spec.d_model, spec.d_ff), init.bias(spec.d_ff)
        self.w_out, self.b_out = init.linear(spec.d_ff, spec.d_model), init.bias(spec.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _affine(self.sigma(_affine(x, self.w_in, self.b_in)), self.w_out, self.b_out)


def _joined(residual: torch.Tensor, branch: torch.Tensor, keep_residual: bool) -> torch.Tensor:
    return residual + branch if keep_residual else branch


class _Block(nn.Module):
    def __init__(self, spec: TransformerSpec, init: _Init):
        super().__init__()
        self.attention = _Attention(spec, init)
        self.mlp = _MLP(spec, init) if spec.mlp else None
        self.post, self.residual = spec.norm == "post", spec.residual
        pre_attn = spec.norm in ("pre", "attn-only")
        pre_mlp = spec.norm in ("pre", "mlp-only") and spec.mlp
        self.norm_attn = _layer_norm(spec) if pre_attn or self.post else nn.Identity()
        self.norm_mlp = _layer_norm(spec) if pre_mlp or self.post and spec.mlp else nn.Identity()

    def forward(self, x: torch.Tensor, last_only: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """The block's output (at the last position only, if asked) and its attention map."""
        residual = x[:, -1:] if last_only else x
        if self.post:
            attended, weights = self.attention(x, last_only)
            x = self.norm_attn(_joined(residual, attended, self.residual))
            if self.mlp is None:
                return x, weights
            return self.norm_mlp(_joined(x, self.mlp(x), self.residual)), weights
        attended, weights = self.attention(self.norm_attn(x), last_only)
        x = _joined(residual, attended, self.residual)
        if self.mlp is None:
            return x, weights
        return _joined(x, self.mlp(self.norm_mlp(x)), self.residual), weights


class Transformer(nn.Module):
    """See TransformerSpec. Hooks read the last forward(): attention_maps() and features()."""

    def __init__(self, spec: TransformerSpec, generator: torch.Generator):
        super().__init__()
        self.spec = spec
        init = _Init(spec, generator)
        d = spec.d_model
        self.embedding = init.normal(spec.vocab, d, std=d ** -0.5)
        self.positions = init.normal(spec.max_len, d, std=0.02) if spec.learned_positions else None
        self.blocks = nn.ModuleList(_Block(spec, init) for _ in range(spec.n_layers))
        self.final_norm = _layer_norm(spec) if spec.final_norm else nn.Identity()
        self.unembedding = init.normal(d, spec.vocab, std=d ** -0.5) if spec.unembedding else None
        self.last_maps: list[torch.Tensor] = []
        self.last_features: torch.Tensor | None = None

    def _residual_stream(self, tokens: torch.Tensor, last_only: bool,
                         ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The final residual stream (at the last position only, if asked: every layer but the
        last still runs at all positions, for the last layer's keys) and the attention maps."""
        if tokens.dim() != 2 or tokens.shape[1] > self.spec.max_len:
            raise ValueError(f"expected token ids of shape (batch, seq <= {self.spec.max_len}), "
                             f"got {tuple(tokens.shape)}")
        x = self.embedding[tokens]
        if self.positions is not None:
            x = x + self.positions[: tokens.shape[1]]
        maps = []
        for layer, block in enumerate(self.blocks):
            x, weights = block(x, last_only and layer == len(self.blocks) - 1)
            maps.append(weights)
        return self.final_norm(x), maps

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x, maps = self._residual_stream(tokens, last_only=False)
        self.last_maps = [weights.detach() for weights in maps]
        self.last_features = x.detach()
        return self._logits(x)

    def _logits(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.unembedding is None else x @ self.unembedding

    def last_logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """forward(tokens)[:, -1], computing only what the last position needs (~2-3x fewer
        operations in a one-layer model). Training on a last-position answer uses it; it leaves
        the hooks as the last forward() set them."""
        x, _ = self._residual_stream(tokens, last_only=True)
        return self._logits(x[:, -1])

    def attention_maps(self) -> list[torch.Tensor]:
        """Per layer, the (batch, heads, seq, seq) attention weights of the last forward
        (query along dim 2, key along dim 3; rows sum to 1)."""
        return self.last_maps

    def attention_weights(self) -> list[dict[str, tuple[nn.Parameter, slice]]]:
        """Per layer, where W_Q, W_K, W_V and W_O live: for each of "query", "key", "value" and
        "output", the parameter and the columns of it that hold that (d_model, d_model) matrix
        (queries, keys and values share one fused parameter); a model without W_O has no
        "output"."""
        d = self.spec.d_model
        located = [{"query": (block.attention.w_qkv, slice(0, d)),
                    "key": (block.attention.w_qkv, slice(d, 2 * d)),
                    "value": (block.attention.w_qkv, slice(2 * d, 3 * d))}
                   for block in self.blocks]
        if self.spec.attention_output:
            for layer, block in zip(located, self.blocks, strict=True):
                layer["output"] = (block.attention.w_out, slice(None))
        return located

    def token_embeddings(self) -> torch.Tensor:
        """(vocab, d_model): the input embedding of each token."""
        return self.embedding

    def features(self) -> torch.Tensor:
        """(batch, seq, d_model): the residual stream that the unembedding read in the last
        forward (after the final norm, if any)."""
        return self.last_features


def transformer(spec: TransformerSpec, generator: torch.Generator) -> Transformer:
    return Transformer(spec, generator)
