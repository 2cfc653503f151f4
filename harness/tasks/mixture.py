"""Classification data from a mixture of Gaussians."""

from __future__ import annotations

import torch


def gaussian_mixture(classes: int, dim: int, per_class: int, separation: float,
                     generator: torch.Generator, dtype: torch.dtype = torch.float32
                     ) -> tuple[torch.Tensor, torch.Tensor]:
    """(x, labels): per_class points of each class, x = mu_c + z with class means mu_c ~
    N(0, separation^2 I) and z ~ N(0, I); labels in 0..classes-1, class by class."""
    means = separation * torch.randn(classes, dim, generator=generator, dtype=dtype)
    labels = torch.arange(classes).repeat_interleave(per_class)
    x = means[labels] + torch.randn(len(labels), dim, generator=generator, dtype=dtype)
    return x, labels
