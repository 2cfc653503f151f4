"""Targets and samples of the optimistic-estimate experiments (Zhang et al. 2023,
arXiv:2307.08921): the target and samples of the authors' 1-D sample-size sweep (inputs U[-1, 1],
samples 1..9 padded into one batch with a mask), and sets of entries that determine a symmetric
rank-one matrix."""

from __future__ import annotations

import torch


def shifted_tanh(x: torch.Tensor) -> torch.Tensor:
    """(..., d) inputs -> (..., 1) values of tanh(x_1 + 1): the authors' 1-D target a tanh(w x + b)
    with a = w = b = 1 (course notebook, code/Optimistic_Estimate/), which reads the first input
    coordinate only."""
    return torch.tanh(x[..., :1] + 1)


def padded_samples(sizes: torch.Tensor, in_dim: int, inputs: str, generator: torch.Generator,
                   dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Training inputs for one trial per entry of `sizes`: (trials, max size, in_dim) points with
    coordinates ~ U[-1, 1] and a (trials, max size) mask of the first sizes[t] points of trial t.
    `inputs="duplicate"` copies the first coordinate into every other one (extra inputs that add
    weights to each neuron but no new direction to the function space); "independent" draws each
    coordinate on its own."""
    if inputs not in ("independent", "duplicate"):
        raise ValueError(f"inputs {inputs!r} not in 'independent', 'duplicate'")
    largest = int(sizes.max())
    x = 2 * torch.rand(len(sizes), largest, in_dim, generator=generator, dtype=dtype) - 1
    if inputs == "duplicate":
        x = x[..., :1].expand(-1, -1, in_dim).contiguous()
    mask = (torch.arange(largest)[None] < sizes[:, None]).to(dtype)
    return x, mask


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
