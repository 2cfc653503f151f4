"""Input feature maps."""

from __future__ import annotations

import torch


def random_fourier_features(x: torch.Tensor, n_features: int, scale: float,
                            generator: torch.Generator) -> torch.Tensor:
    """[cos(x B), sin(x B)] with B ~ N(0, scale^2), shape (n, 2 n_features) (Rahimi & Recht 2007).

    A large scale hands a network high frequencies as inputs, which removes the low-frequency bias.
    """
    b = scale * torch.randn(x.shape[1], n_features, generator=generator, dtype=x.dtype)
    z = x @ b.to(x.device)
    return torch.cat([torch.cos(z), torch.sin(z)], dim=1)
