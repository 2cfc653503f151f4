"""Constructor arguments of each role: plain data that a user's factory receives."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class TwoLayerSpec:
    """A two-layer fully connected network f(x) = (1/alpha) sum_k a_k sigma(w_k . x + b_k).

    w_std is the standard deviation of the input weights and biases, a_std that of the output
    weights. With antisymmetric=True the neurons come in pairs (w, a), (w, -a): f = 0 at init.
    """

    in_dim: int
    width: int
    out_dim: int = 1
    activation: str = "relu"
    w_std: float = 1.0
    a_std: float = 1.0
    alpha: float = 1.0
    antisymmetric: bool = False
    dtype: torch.dtype = torch.float32
