"""Low-rank matrix completion of Lyu et al. 2024 (Sec. 4.2, Fig. 3): the rank-1 symmetric
target X*_ij = i j / d^2 seen through a random symmetric mask of entries."""

from __future__ import annotations

import torch


def rank_one_target(dim: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """X*_ij = i j / d^2 for i, j = 1..d."""
    i = torch.arange(1, dim + 1, dtype=dtype)
    return torch.outer(i, i) / dim**2


def symmetric_mask(dim: int, fraction: float, generator: torch.Generator) -> torch.Tensor:
    """A (dim, dim) boolean mask, symmetric, each entry on or above the diagonal observed with
    probability `fraction`."""
    upper = (torch.rand(dim, dim, generator=generator) < fraction).triu()
    return upper | upper.T


def entries(mask: torch.Tensor) -> torch.Tensor:
    """(n, 2) (row, column) indices of the True entries of a mask."""
    return mask.nonzero()
