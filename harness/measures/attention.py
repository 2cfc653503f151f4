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
