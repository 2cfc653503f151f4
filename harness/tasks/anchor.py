"""Anchor functions (Zhang, Wang et al. 2024): token sequences in which an anchor token says what to
do with the key token next to it, read at the last position. Two forms are built here: the identity
anchor task (the answer is the key that follows the anchor) and two-anchor compositions (the answer
is the key moved by the sum of the two anchors' shifts; one anchor pair is held out)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

# Zhang, Lin et al. 2024, Sec. 3: the single-anchor maps g(x; a) = x + SHIFTS[a].
SHIFTS = {1: 5, 2: 1, 3: -2, 4: -8}
HELD_OUT_PAIR = (4, 3)
# The seen pair (3, 4) is trained on x - 6, the shift that (4, 3) would get by symmetry with it;
# composing the primitives gives (4, 3) the inferential x - 10 instead.
SYMMETRIC_SHIFT = -6


@dataclass(frozen=True)
class Sequences:
    """(n, length) token ids, the (n,) token to predict at the last position, and per sequence
    the position of its key (and, for compositions, the index of its anchor pair in `pairs`)."""

    tokens: torch.Tensor
    targets: torch.Tensor
    key_positions: torch.Tensor
    pair_index: torch.Tensor | None = None


def composition_shift(pair: tuple[int, int]) -> int:
    """The shift the training data assign to an anchor pair (the held-out pair's is inferential)."""
    if pair == HELD_OUT_PAIR[::-1]:
        return SYMMETRIC_SHIFT
    return SHIFTS[pair[0]] + SHIFTS[pair[1]]


def anchor_pairs(held_out: bool) -> list[tuple[int, int]]:
    """The 15 seen ordered anchor pairs, or [the held-out pair]."""
    if held_out:
        return [HELD_OUT_PAIR]
    return [(a, b) for a in SHIFTS for b in SHIFTS if (a, b) != HELD_OUT_PAIR]


def composition_sequences(pairs: list[tuple[int, int]], keys: torch.Tensor, per_key: int,
                          generator: torch.Generator) -> Sequences:
    """Zhang, Lin et al. 2024's two-anchor composition task in the catalogue's length-4 form:
    [x, a1, a2, f] or [f, x, a1, a2] with the key x's position uniform in {0, 1} and f a filler
    drawn from the keys' range; the target is x + composition_shift((a1, a2)). `per_key`
    sequences per (pair, key)."""
    pair_index = torch.arange(len(pairs)).repeat_interleave(len(keys) * per_key)
    x = keys.repeat_interleave(per_key).repeat(len(pairs))
    n = len(x)
    anchors = torch.tensor(pairs)[pair_index]
    shifts = torch.tensor([composition_shift(p) for p in pairs])[pair_index]
    filler = keys.min() + torch.randint(int(keys.max() - keys.min()) + 1, (n,),
                                        generator=generator)
    key_positions = torch.randint(2, (n,), generator=generator)
    key_first = torch.stack([x, anchors[:, 0], anchors[:, 1], filler], dim=1)
    key_second = torch.stack([filler, x, anchors[:, 0], anchors[:, 1]], dim=1)
    tokens = torch.where(key_positions[:, None] == 0, key_first, key_second)
    return Sequences(tokens, x + shifts, key_positions, pair_index)


def identity_sequences(n: int, length: int, items: tuple[int, int], anchor: int,
                       generator: torch.Generator, held_out: bool = False) -> Sequences:
    """Zhang, Wang et al. 2024's one-anchor identity task: `length` random items from the
    half-open range `items`, the anchor token at a position p in [0, length - 2), the key at p + 1;
    the target is the key. The split is by (key, position): a sequence is held out iff
    key mod (length - 2) == p, so every key value is a target in training, each at other
    positions. Draws until n sequences of the requested side are found."""
    slots = length - 2
    draws = 2 * n * (slots if held_out else 1)  # twice the expected need (1 in slots held out)
    tokens = torch.randint(items[0], items[1], (draws, length), generator=generator)
    positions = torch.randint(slots, (draws,), generator=generator)
    rows = torch.arange(draws)
    tokens[rows, positions] = anchor
    keys = tokens[rows, positions + 1]
    keep = ((keys % slots) == positions) == held_out
    tokens, keys, positions = tokens[keep][:n], keys[keep][:n], positions[keep][:n]
    if len(tokens) < n:
        raise ValueError(f"drew {len(tokens)} of {n} sequences; the split is too lopsided")
    return Sequences(tokens, keys, positions + 1)
