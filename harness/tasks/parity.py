"""Boolean tasks on the hypercube {-1, +1}^dim."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def hypercube_points(n: int, dim: int, generator: torch.Generator,
                     dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(n, dim) points drawn uniformly from {-1, +1}^dim."""
    bits = torch.randint(0, 2, (n, dim), generator=generator)
    return (2 * bits - 1).to(dtype)


def sparse_parity(x: torch.Tensor, support: Sequence[int]) -> torch.Tensor:
    """(n, 1) labels prod_{i in support} x_i: the Walsh character chi_S at the points x."""
    return x[:, list(support)].prod(dim=1, keepdim=True)
