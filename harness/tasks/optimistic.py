"""Targets and samples of the optimistic-estimate experiments (Zhang et al. 2023,
arXiv:2307.08921): a one-neuron tanh target on Gaussian inputs, and sets of entries that
determine a symmetric rank-one matrix."""

from __future__ import annotations

import torch


def tanh_neuron(x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """(n, d) inputs -> (n, 1) values of the one-neuron target tanh(weights . x)."""
    return torch.tanh(x @ weights)[:, None]


def determining_entries(dim: int, extra: int, generator: torch.Generator) -> torch.Tensor:
    """(dim + extra, 2) (row, column) pairs on or above the diagonal: a random spanning tree of
    the rows (so every ratio u_i / u_j of a rank-one u u^T is fixed), one random diagonal entry
    (which fixes its scale), and `extra` further distinct entries. The first `dim` pairs are the
    fewest entries that determine u u^T: the model's optimistic sample size."""
    order = torch.randperm(dim, generator=generator).tolist()
    tree = [(order[i], order[int(torch.randint(i, (1,), generator=generator))])
            for i in range(1, dim)]
    diagonal = int(torch.randint(dim, (1,), generator=generator))
    chosen = {tuple(sorted(edge)) for edge in tree} | {(diagonal, diagonal)}
    rest = [pair for pair in torch.triu_indices(dim, dim).T.tolist() if tuple(pair) not in chosen]
    pick = torch.randperm(len(rest), generator=generator)[:extra].tolist()
    pairs = sorted(chosen) + [tuple(rest[i]) for i in pick]
    return torch.tensor(pairs)
