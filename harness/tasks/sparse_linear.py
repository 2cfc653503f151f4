"""Linear classification data of Lyu et al. 2024 (Sec. 3.2.3, Fig. 1) for diagonal linear nets:
a sparse target on Boolean inputs (the late, max-L1-margin solution generalises; the kernel one
does not) and a large-L2-margin dense target (the reverse: "misgrokking")."""

from __future__ import annotations

import torch


def sparse_majority(n: int, dim: int, sparsity: int, generator: torch.Generator,
                              dtype: torch.dtype = torch.float64
                              ) -> tuple[torch.Tensor, torch.Tensor]:
    """x uniform on {-1, +1}^dim, y = sign(x_1 + ... + x_k) with k = sparsity (odd, so y != 0)."""
    if sparsity % 2 == 0 or not 0 < sparsity <= dim:
        raise ValueError(f"sparsity must be odd and in [1, dim], got {sparsity}")
    x = torch.randint(2, (n, dim), generator=generator).to(dtype) * 2 - 1
    return x, x[:, :sparsity].sum(dim=1).sign()


def large_margin_dense(n: int, dim: int, gap: float, direction: torch.Tensor,
                       generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """x = z + (gap / 2) sign(<z, w*>) w*, z ~ N(0, I), y = sign(<z, w*>) for a unit w*: the
    classes are separated by an L2 margin of about `gap` along a dense direction."""
    z = torch.randn(n, dim, generator=generator, dtype=direction.dtype)
    y = (z @ direction).sign()
    return z + (gap / 2) * y[:, None] * direction, y


def random_unit_vector(dim: int, generator: torch.Generator,
                       dtype: torch.dtype = torch.float64) -> torch.Tensor:
    w = torch.randn(dim, generator=generator, dtype=dtype)
    return w / w.norm()
