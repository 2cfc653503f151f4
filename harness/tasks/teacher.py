"""Targets drawn from a random teacher network."""

from __future__ import annotations

import torch


def tanh_teacher(x: torch.Tensor, width: int, w_std: float, generator: torch.Generator
                 ) -> torch.Tensor:
    """(n, 1) outputs of a random two-layer tanh teacher sum_j c_j tanh(<v_j, x> + b_j), v_j and
    b_j ~ N(0, w_std^2), c_j ~ N(0, 1), standardised to mean 0 and variance 1 over x. A large
    w_std saturates the teacher's units: a rougher target, fitted slowly."""
    v = w_std * torch.randn(x.shape[1], width, generator=generator, dtype=x.dtype)
    b = w_std * torch.randn(width, generator=generator, dtype=x.dtype)
    c = torch.randn(width, 1, generator=generator, dtype=x.dtype)
    y = torch.tanh(x @ v.to(x.device) + b.to(x.device)) @ c.to(x.device)
    return (y - y.mean()) / y.std()
