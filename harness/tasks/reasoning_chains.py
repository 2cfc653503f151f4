"""Multi-step reasoning in context (Wang, Wang et al. 2024): a chain of distinct tokens is cut into
its (parent, child) pairs, the pairs are shuffled into the sequence, a query token follows, and the
answer is the node `hops` steps down the chain from the query. The split is by the kind of pair,
not by token identity: a pair's type is (child - parent) mod 5, training chains use types
{0, 1, 4} and test chains types {2, 3}, so test chains are made of bigrams never seen in training
(the group's published task code; see the claims catalogue)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

TRAIN_TYPES = (0, 1, 4)
TEST_TYPES = (2, 3)


@dataclass(frozen=True)
class ChainTask:
    """(n, 2 (chain_length - 1) + 1) token ids (shuffled pairs, then the query) and (n,) answers."""

    tokens: torch.Tensor
    targets: torch.Tensor


def _chains(n: int, length: int, vocab: int, types: tuple[int, ...],
            generator: torch.Generator) -> torch.Tensor:
    """(n, length) chains of distinct tokens in [1, vocab) whose steps have a type in `types`:
    each child is drawn uniformly among the tokens of an allowed type not yet in the chain."""
    tokens = torch.arange(1, vocab)
    chains = torch.zeros(n, length, dtype=torch.long)
    chains[:, 0] = 1 + torch.randint(vocab - 1, (n,), generator=generator)
    allowed_type = torch.zeros(5, dtype=torch.bool)
    allowed_type[list(types)] = True
    for i in range(1, length):
        step_type = (tokens[None] - chains[:, i - 1, None]) % 5
        used = (tokens[None, :, None] == chains[:, None, :i]).any(-1)
        weights = (allowed_type[step_type] & ~used).double()
        chains[:, i] = tokens[torch.multinomial(weights, 1, generator=generator)[:, 0]]
    return chains


def reasoning_chains(n: int, length: int, hops: int, vocab: int, test: bool,
                     generator: torch.Generator) -> ChainTask:
    """n sequences: the length - 1 (parent, child) pairs of a chain in a random order, then a
    query node that has at least `hops` successors; the target is the node `hops` steps after
    it. Training chains use the pair types TRAIN_TYPES, test chains TEST_TYPES."""
    if not 1 <= hops < length:
        raise ValueError(f"hops must lie in [1, {length - 1}] for chains of {length}, got {hops}")
    chains = _chains(n, length, vocab, TEST_TYPES if test else TRAIN_TYPES, generator)
    pairs = torch.stack([chains[:, :-1], chains[:, 1:]], dim=2)  # (n, length - 1, 2)
    order = torch.argsort(torch.rand(n, length - 1, generator=generator), dim=1)
    shuffled = torch.gather(pairs, 1, order[:, :, None].expand(-1, -1, 2)).reshape(n, -1)
    start = torch.randint(length - hops, (n,), generator=generator)
    rows = torch.arange(n)
    query, target = chains[rows, start], chains[rows, start + hops]
    return ChainTask(torch.cat([shuffled, query[:, None]], dim=1), target)
