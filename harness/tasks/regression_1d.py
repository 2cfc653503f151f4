"""One-dimensional regression data, generated from the claim's seed."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def periodic_grid(n: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(n, 1) points on [-pi, pi), endpoint excluded, so sin(kx) sits exactly on DFT bin k."""
    return torch.linspace(-math.pi, math.pi, n + 1, dtype=dtype)[:-1, None]


def sum_of_sines(x: torch.Tensor, frequencies: Sequence[int],
                 amplitudes: Sequence[float] | None = None) -> torch.Tensor:
    """sum_k c_k sin(k x), shape (n, 1); amplitudes default to 1."""
    amplitudes = amplitudes if amplitudes is not None else [1.0] * len(frequencies)
    return sum(c * torch.sin(k * x) for k, c in zip(frequencies, amplitudes, strict=True))


def phase_diagram_points(dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    """The three points of Luo et al. 2021's 1-D experiments: (-0.5, -0.5), (0, 0), (0.5, 1)."""
    x = torch.tensor([[-0.5], [0.0], [0.5]], dtype=dtype)
    y = torch.tensor([[-0.5], [0.0], [1.0]], dtype=dtype)
    return x, y


def relu_teacher(x: torch.Tensor, n_neurons: int, generator: torch.Generator) -> torch.Tensor:
    """sum_j c_j relu(s_j (x - k_j)), shape (n, 1): a 1-D target that `n_neurons` ReLU neurons
    express exactly, with kinks k_j ~ U(-0.8, 0.8), signs s_j = +-1 and c_j ~ N(0, 1)."""
    kinks = 1.6 * torch.rand(n_neurons, generator=generator, dtype=x.dtype) - 0.8
    signs = torch.where(torch.rand(n_neurons, generator=generator) < 0.5, -1.0, 1.0).to(x.dtype)
    heights = torch.randn(n_neurons, 1, generator=generator, dtype=x.dtype)
    return torch.relu(signs * (x - kinks)) @ heights
