"""Orthogonal noise on attention weights (Wang, Wang et al. 2024, v1): a fixed random orthogonal
matrix, scaled, is added to each of an attention layer's query, key, value and output weights, so
that the products the matching mechanism reads, W_Q W_K^T and W_V W_O, each carry scale^2 times a
random orthogonal matrix (plus cross terms with the learnt weights) throughout training.

The noise is attached from outside the model, as a parametrisation of the default transformer's
`w_qkv` (columns: queries, keys, values) and `w_out` weights: the optimiser trains the weights
themselves, the noise stays fixed. A model without those weights (an --arch factory) skips the
claims that use it."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from harness.seeding import random_orthogonal


class _AddFixed(nn.Module):
    """A parametrisation w -> w + offset, with a fixed (untrained) offset."""

    def __init__(self, offset: torch.Tensor):
        super().__init__()
        self.register_buffer("offset", offset)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.offset


def add_orthogonal_noise(model: nn.Module, scale: float, generator: torch.Generator) -> None:
    """Add `scale` times an independent random orthogonal matrix to every attention layer's
    W_Q, W_K, W_V and W_O of `model` (in place; drawn on the CPU from `generator`, in module
    order, four per layer). scale = 0 leaves the model's function unchanged."""
    layers = [m for m in model.modules()
              if isinstance(getattr(m, "w_qkv", None), nn.Parameter)
              and isinstance(getattr(m, "w_out", None), nn.Parameter)]
    if not layers:
        pytest.skip("orthogonal noise is attached to the default transformer's attention "
                    "weights (w_qkv, w_out); this model has none")
    for layer in layers:
        d = layer.w_out.shape[0]
        if layer.w_qkv.shape != (d, 3 * d):
            raise ValueError(f"expected w_qkv of shape ({d}, {3 * d}), got "
                             f"{tuple(layer.w_qkv.shape)}")
        q, k, v, o = (scale * random_orthogonal(d, generator).to(layer.w_out.dtype)
                      for _ in range(4))
        device = layer.w_out.device
        parametrize.register_parametrization(layer, "w_qkv",
                                             _AddFixed(torch.cat([q, k, v], dim=1).to(device)))
        parametrize.register_parametrization(layer, "w_out", _AddFixed(o.to(device)))
