"""Linearly separable data with a planted hard-margin SVM solution (Soudry et al. 2018's
setting): the max-margin direction is known by construction and no other point is near the
margin, so gradient descent's slow drift towards it is not stalled by a near-support point."""

from __future__ import annotations

import torch


def planted_max_margin(n: int, dim: int, pairs: int, gap: float, generator: torch.Generator,
                       dtype: torch.dtype = torch.float64
                       ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x, y, w): n points in `dim` dimensions with labels +-1 whose bias-free hard-margin SVM
    solution is the unit vector w, at margin 1. The support vectors come in `pairs` pairs (w + u,
    +1), (-w + u, -1), u ~ N(0, I) orthogonal to w (KKT: w = sum_i alpha_i y_i x_i with every
    alpha_i = 1 / (2 pairs)); every other point has margin 1 + gap + |e|, e ~ N(0, 1), along w
    and a Gaussian part orthogonal to it."""
    w = torch.randn(dim, generator=generator, dtype=dtype)
    w = w / w.norm()

    def orthogonal(count: int) -> torch.Tensor:
        z = torch.randn(count, dim, generator=generator, dtype=dtype)
        return z - (z @ w)[:, None] * w

    u = orthogonal(pairs)
    support = torch.cat([w + u, -w + u])
    support_y = torch.cat([torch.ones(pairs, dtype=dtype), -torch.ones(pairs, dtype=dtype)])
    rest = n - 2 * pairs
    y = torch.where(torch.rand(rest, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
    margin = 1 + gap + torch.randn(rest, generator=generator, dtype=dtype).abs()
    others = orthogonal(rest) + (y * margin)[:, None] * w
    return torch.cat([support, others]), torch.cat([support_y, y]), w
