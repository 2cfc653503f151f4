"""Orthogonal noise on attention weights (Wang, Wang et al. 2024, v1): a fixed random orthogonal
matrix, scaled, is added to each of an attention layer's query, key, value and output weights, so
that the products the matching mechanism reads, W_Q W_K^T and W_V W_O, each carry scale^2 times a
random orthogonal matrix (plus cross terms with the learnt weights) throughout training.

The noise is attached from outside the model, as a parametrisation of the parameters that the
transformer role's optional hook `attention_weights()` names: the optimiser trains the weights
themselves, the noise stays fixed. A model without the hook skips the claims that use it."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.utils import parametrize

from harness.seeding import random_orthogonal

PARTS = ("query", "key", "value", "output")


class _AddFixed(nn.Module):
    """A parametrisation w -> w + offset, with a fixed (untrained) offset."""

    def __init__(self, offset: torch.Tensor):
        super().__init__()
        self.register_buffer("offset", offset)

    def forward(self, weight: torch.Tensor) -> torch.Tensor:
        return weight + self.offset


def weight_blocks(model: nn.Module) -> list[dict[str, tuple[nn.Parameter, slice]]]:
    """The model's attention_weights(), each entry as (parameter, columns); a bare parameter
    stands for all of its columns. Skips the claim when the model has no such hook."""
    hook = getattr(model, "attention_weights", None)
    if not callable(hook):
        pytest.skip("orthogonal noise needs the transformer hook attention_weights() (where "
                    "W_Q, W_K, W_V, W_O live); this model has none")
    return [{part: entry if isinstance(entry, tuple) else (entry, slice(None))
             for part, entry in layer.items()} for layer in hook()]


def add_orthogonal_noise(model: nn.Module, scale: float, generator: torch.Generator) -> None:
    """Add `scale` times an independent random orthogonal matrix to every attention layer's
    W_Q, W_K, W_V and W_O of `model` (in place; drawn on the CPU from `generator`, layer by
    layer, in the order query, key, value, output). scale = 0 leaves the model's function
    unchanged."""
    owners = {id(p): (module, name) for module in model.modules()
              for name, p in module.named_parameters(recurse=False)}
    offsets: dict[tuple[nn.Module, str], torch.Tensor] = {}
    for layer in weight_blocks(model):
        for part in PARTS:
            parameter, columns = layer[part]
            block = parameter[:, columns]
            d = block.shape[0]
            if block.shape != (d, d) or id(parameter) not in owners:
                raise ValueError(f"attention_weights()[{part}] must be square columns of a "
                                 f"parameter of the model, got {tuple(block.shape)}")
            owner = owners[id(parameter)]
            offset = offsets.setdefault(owner, torch.zeros_like(parameter))
            noise = scale * random_orthogonal(d, generator).to(parameter.dtype)
            offset[:, columns] += noise.to(parameter.device)
    for (module, name), offset in offsets.items():
        parametrize.register_parametrization(module, name, _AddFixed(offset))
