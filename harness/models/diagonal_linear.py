"""The diagonal linear network of Lyu et al. 2024 (Sec. 3): a linear model w = u*u - v*v whose
scale of initialisation alpha moves it between the kernel regime (large alpha) and the rich,
sparsity-seeking regime. The init is deterministic; the generator is accepted for the role's
signature."""

from __future__ import annotations

import math

import torch
from torch import nn

from harness.models.specs import DiagonalLinearSpec


class DiagonalLinear(nn.Module):
    def __init__(self, spec: DiagonalLinearSpec, generator: torch.Generator):
        super().__init__()
        start = torch.full((spec.dim,), spec.alpha / math.sqrt(2 * spec.dim), dtype=spec.dtype)
        self.u = nn.Parameter(start.clone())
        self.v = nn.Parameter(start.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weights()

    def weights(self) -> torch.Tensor:
        """(dim,): the linear predictor u*u - v*v."""
        return self.u * self.u - self.v * self.v


def diagonal_linear(spec: DiagonalLinearSpec, generator: torch.Generator) -> DiagonalLinear:
    return DiagonalLinear(spec, generator)
