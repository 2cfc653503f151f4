"""Regression data of the double-descent experiments: a linear target with a small nonlinear
interaction that no linear model captures (the misspecification) and Gaussian label noise."""

from __future__ import annotations

import torch


def linear_plus_interaction(n: int, beta: torch.Tensor, generator: torch.Generator,
                            interaction: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    """x ~ N(0, I_d) (d = len(beta)) and the noiseless target f(x) = <beta, x> + interaction *
    tanh(x_1 x_2), in beta's dtype. Label noise is the caller's: it is drawn separately, so that
    the same inputs can be labelled with and without it."""
    x = torch.randn(n, len(beta), generator=generator, dtype=beta.dtype)
    return x, x @ beta + interaction * torch.tanh(x[:, 0] * x[:, 1])
