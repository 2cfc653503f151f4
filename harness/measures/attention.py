"""Attention-map measures (read through the transformer role's attention_maps() hook)."""

from __future__ import annotations

import torch


def attention_onto(weights: torch.Tensor, queries: torch.Tensor,
                   key_positions: torch.Tensor) -> float:
    """Mean attention weight, over heads, sequences and the selected query positions, that
    lands on one key position per sequence.

    weights: (batch, heads, seq, seq) maps of one layer (query along dim 2, key along dim 3);
    queries: (batch, seq) bool, the query positions to average over in each sequence;
    key_positions: (batch,) the position attended to in each sequence.
    """
    batch, _, seq, _ = weights.shape
    if queries.shape != (batch, seq) or key_positions.shape != (batch,):
        raise ValueError(f"expected queries ({batch}, {seq}) and key_positions ({batch},), got "
                         f"{tuple(queries.shape)} and {tuple(key_positions.shape)}")
    onto = weights.double().mean(dim=1)[torch.arange(batch), :, key_positions]  # (batch, seq)
    selected = queries.double()
    if (selected.sum(dim=1) == 0).any():
        raise ValueError("every sequence needs at least one selected query position")
    return float(((onto * selected).sum(dim=1) / selected.sum(dim=1)).mean())


def at_positions(positions: torch.Tensor, seq: int) -> torch.Tensor:
    """(batch, seq) bool selecting one query position per sequence."""
    return torch.arange(seq, device=positions.device)[None] == positions[:, None]


def shift_then_broadcast(first: torch.Tensor, second: torch.Tensor,
                         key_positions: torch.Tensor) -> float:
    """How well two attention layers route a key to the last position through its neighbour,
    the anchor just before it (Zhang, Wang et al. 2024's shift and broadcast).

    Per sequence, the smaller of the layer-1 attention of the anchor's position onto the key
    (the shift: the key moves onto the anchor's position) and the layer-2 attention of the last
    position onto the anchor's position (the broadcast), averaged over sequences; the same with
    the roles of the two positions swapped; the larger of the two means (either direction of
    the shift counts). first, second: (batch, heads, seq, seq) maps, averaged over heads.
    """
    batch, _, seq, _ = first.shape
    if second.shape != first.shape or key_positions.shape != (batch,):
        raise ValueError(f"expected two maps of one shape and ({batch},) key positions, got "
                         f"{tuple(first.shape)}, {tuple(second.shape)}, "
                         f"{tuple(key_positions.shape)}")
    rows, key = torch.arange(batch), key_positions
    anchor, last = key - 1, torch.full_like(key, seq - 1)
    first, second = first.double().mean(dim=1), second.double().mean(dim=1)
    onto_anchor = torch.minimum(first[rows, anchor, key], second[rows, last, anchor])
    onto_key = torch.minimum(first[rows, key, anchor], second[rows, last, key])
    return max(float(onto_anchor.mean()), float(onto_key.mean()))
