"""A one-dimensional Poisson problem u'' = f on [-1, 1] with Dirichlet boundary values, whose exact
solution is a sum of sines, and the two losses a network can be trained on for it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from harness.train import Loss


@dataclass(frozen=True)
class Poisson1D:
    """u*(x) = sum_k c_k sin(k pi x) on [-1, 1]; the source is f = u*'' and the boundary values
    are u*(-1) and u*(1)."""

    frequencies: Sequence[int]
    amplitudes: Sequence[float]

    def __post_init__(self) -> None:
        if len(self.frequencies) != len(self.amplitudes) or not self.frequencies:
            raise ValueError("Poisson1D needs as many amplitudes as frequencies, at least one")

    def solution(self, x: torch.Tensor) -> torch.Tensor:
        return sum(c * torch.sin(k * math.pi * x)
                   for k, c in zip(self.frequencies, self.amplitudes, strict=True))

    def source(self, x: torch.Tensor) -> torch.Tensor:
        """f = u*'' = -sum_k c_k (k pi)^2 sin(k pi x)."""
        return sum(-c * (k * math.pi) ** 2 * torch.sin(k * math.pi * x)
                   for k, c in zip(self.frequencies, self.amplitudes, strict=True))

    def grid(self, n: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
        """(n, 1) points on [-1, 1), endpoint excluded, so sin(k pi x) sits on DFT bin k."""
        return torch.linspace(-1.0, 1.0, n + 1, dtype=dtype)[:-1, None]

    def boundary(self, dtype: torch.dtype = torch.float64) -> torch.Tensor:
        return torch.tensor([[-1.0], [1.0]], dtype=dtype)


def second_derivative(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """d^2 model / dx^2 at the (n, 1) points x, differentiable in the model's parameters."""
    x = x.detach().requires_grad_(True)
    (first,) = torch.autograd.grad(model(x).sum(), x, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), x, create_graph=True)
    return second


def data_loss(model: nn.Module, problem: Poisson1D, x: torch.Tensor) -> Loss:
    """Mean squared distance to the exact solution at x (the observation-data loss)."""
    target = problem.solution(x)
    return lambda: (model(x) - target).pow(2).mean()


def residual_loss(model: nn.Module, problem: Poisson1D, x: torch.Tensor) -> Loss:
    """The model (PINN) loss: mean squared PDE residual u'' - f at x plus the mean squared misfit
    at the two boundary points."""
    source = problem.source(x)
    edges = problem.boundary(x.dtype).to(x.device)
    edge_values = problem.solution(edges)
    return lambda: ((second_derivative(model, x) - source).pow(2).mean()
                    + (model(edges) - edge_values).pow(2).mean())
