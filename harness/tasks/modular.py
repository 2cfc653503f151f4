"""Modular arithmetic tables, the grokking literature's data (Power et al. 2022)."""

from __future__ import annotations

import torch


def modular_addition(p: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every pair (a, b) in Z_p^2 as (p^2, 2) token ids, and (a + b) mod p as (p^2,) labels."""
    a, b = torch.cartesian_prod(torch.arange(p), torch.arange(p)).T
    return torch.stack([a, b], dim=1), (a + b) % p


def with_equals_token(pairs: torch.Tensor, equals: int) -> torch.Tensor:
    """[a, b] -> [a, b, =] with "=" the token id `equals` (the transformer papers' format)."""
    return torch.cat([pairs, torch.full((len(pairs), 1), equals, dtype=pairs.dtype)], dim=1)


def train_test_split(n: int, train_fraction: float,
                     generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of a seeded random split of n examples: round(train_fraction n) for training."""
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must lie in (0, 1), got {train_fraction}")
    order = torch.randperm(n, generator=generator)
    cut = round(train_fraction * n)
    return order[:cut], order[cut:]
