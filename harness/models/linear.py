"""A bias-free linear model f(x) = <w, x>: the setting of the implicit-bias theorems for linear
predictors on separable data (Soudry et al. 2018)."""

from __future__ import annotations

import torch
from torch import nn

from harness.models.specs import LinearSpec


class Linear(nn.Module):
    def __init__(self, spec: LinearSpec, generator: torch.Generator):
        super().__init__()
        w = spec.init_std * torch.randn(spec.dim, generator=generator, dtype=spec.dtype)
        self.w = nn.Parameter(w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w

    def weights(self) -> torch.Tensor:
        """(dim,): the linear predictor."""
        return self.w


def linear(spec: LinearSpec, generator: torch.Generator) -> Linear:
    return Linear(spec, generator)
