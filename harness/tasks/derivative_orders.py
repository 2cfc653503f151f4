"""Model losses of any derivative order for the 1-D problem of `poisson_1d`: the order-j loss
matches the network's j-th derivative to the exact solution's, plus the boundary misfit.

A derivative multiplies Fourier mode k of the error by (k pi)^j, so the order-j loss weighs the
error's mode k by (k pi)^(2j): order 0 is the data loss (every mode alike), and the higher the
order, the more the loss favours high frequencies over low ones (Wang et al. 2024's account of
the loss jump). Order 2 with the source is `poisson_1d.residual_loss`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from harness.tasks.poisson_1d import Poisson1D
from harness.train import Loss


def derivative(model: nn.Module, x: torch.Tensor, order: int) -> torch.Tensor:
    """d^order model / dx^order at the (n, 1) points x (order 0: the output), differentiable in
    the model's parameters."""
    if order < 0:
        raise ValueError(f"derivative order must be >= 0, got {order}")
    x = x.detach().requires_grad_(order > 0)
    value = model(x)
    for _ in range(order):
        (value,) = torch.autograd.grad(value.sum(), x, create_graph=True)
    return value


def exact_derivative(problem: Poisson1D, x: torch.Tensor, order: int) -> torch.Tensor:
    """The order-th derivative of u* = sum_k c_k sin(k pi x): sum_k c_k (k pi)^order
    sin(k pi x + order pi / 2)."""
    return sum(c * (k * math.pi) ** order * torch.sin(k * math.pi * x + order * math.pi / 2)
               for k, c in zip(problem.frequencies, problem.amplitudes, strict=True))


def misfit(model: nn.Module, problem: Poisson1D, x: torch.Tensor, order: int) -> Loss:
    """Mean squared misfit of the order-th derivative of `model` to u*'s at the points x."""
    target = exact_derivative(problem, x, order)
    return lambda: (derivative(model, x, order) - target).pow(2).mean()


def boundary_misfit(model: nn.Module, problem: Poisson1D, dtype: torch.dtype,
                    device: torch.device) -> Loss:
    """Mean squared misfit of `model` to u* at the two boundary points."""
    edges = problem.boundary(dtype).to(device)
    edge_values = problem.solution(edges)
    return lambda: (model(edges) - edge_values).pow(2).mean()


def gradient_norm(model: nn.Module, loss: Loss) -> float:
    """||d loss / d parameters|| at the model's present parameters."""
    grads = torch.autograd.grad(loss(), [p for p in model.parameters() if p.requires_grad],
                                allow_unused=True)
    return float(torch.sqrt(sum((g.detach() ** 2).sum() for g in grads if g is not None)))


def order_residual_loss(model: nn.Module, problem: Poisson1D, x: torch.Tensor,
                        order: int) -> Loss:
    """The order-`order` model loss: the derivative misfit at x plus the boundary misfit
    (order 0: the data loss with the boundary term)."""
    derivative_term = misfit(model, problem, x, order)
    edge_term = boundary_misfit(model, problem, x.dtype, x.device)
    return lambda: derivative_term() + edge_term()


def flat_weighted_loss(model: nn.Module, problem: Poisson1D, x: torch.Tensor,
                       like_order: int) -> Loss:
    """The order-`like_order` model loss with its frequency weighting (k pi)^(2 order) removed
    and its size kept: the order-0 misfit, scaled so that at the present parameters its gradient
    has the norm of the order-`like_order` misfit's, plus the boundary misfit."""
    flat, weighted = misfit(model, problem, x, 0), misfit(model, problem, x, like_order)
    flat_norm = gradient_norm(model, flat)
    scale = gradient_norm(model, weighted) / flat_norm if flat_norm > 0 else math.nan
    edge_term = boundary_misfit(model, problem, x.dtype, x.device)
    return lambda: scale * flat() + edge_term()
