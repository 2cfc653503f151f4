"""The LMS-k data of Shah et al. 2020 (Sec. 3): one linear coordinate and several k-slab
coordinates, each of which alone predicts the label perfectly; a network that uses only the
simplest (the linear one) is not robust to perturbing it."""

from __future__ import annotations

import torch


def linear_and_slabs(n: int, slab_dims: int, generator: torch.Generator, slabs: int = 5,
                     margin: float = 0.1, slab_width: float = 0.3, linear_predictive: bool = True,
                     dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, y), y = +-1 uniform, x of shape (n, 1 + slab_dims). x_1 (linear) = y U(margin, 1), or
    uniform on the same support with a random sign if not linear_predictive. Each slab
    coordinate is a slab centre plus U(-slab_width / 2, slab_width / 2), the centres `slabs`
    evenly spaced on [-1, 1] and alternating in label (the outer ones +1), a centre of the
    point's label drawn uniformly."""
    y = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
    magnitude = margin + (1 - margin) * torch.rand(n, generator=generator, dtype=dtype)
    sign = y if linear_predictive else torch.where(
        torch.rand(n, generator=generator) < 0.5, -1.0, 1.0).to(dtype)
    centres = torch.linspace(-1.0, 1.0, slabs, dtype=dtype)
    labels = torch.tensor([1.0 if i % 2 == 0 else -1.0 for i in range(slabs)], dtype=dtype)
    plus, minus = centres[labels > 0], centres[labels < 0]
    pick = torch.rand(n, slab_dims, generator=generator, dtype=dtype)
    centre = torch.where(y[:, None] > 0, plus[(pick * len(plus)).long()],
                         minus[(pick * len(minus)).long()])
    jitter = slab_width * (torch.rand(n, slab_dims, generator=generator, dtype=dtype) - 0.5)
    return torch.cat([(sign * magnitude)[:, None], centre + jitter], dim=1), y
