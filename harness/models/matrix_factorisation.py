"""The symmetric factorised matrix of Lyu et al. 2024's matrix-completion experiment (Sec. 4.2,
Fig. 3): W = U U^T - V V^T from U = V = alpha I, so W = 0 at init and a large alpha starts the
model in the kernel regime. The init is deterministic; the generator is accepted for the role's
signature."""

from __future__ import annotations

import torch
from torch import nn

from harness.models.specs import MatrixFactorisationSpec


class MatrixFactorisation(nn.Module):
    def __init__(self, spec: MatrixFactorisationSpec, generator: torch.Generator):
        super().__init__()
        start = spec.alpha * torch.eye(spec.dim, dtype=spec.dtype)
        self.u = nn.Parameter(start.clone())
        self.v = nn.Parameter(start.clone())

    def forward(self, index: torch.Tensor) -> torch.Tensor:
        """(n, 2) (row, column) pairs -> (n,) entries of W."""
        w = self.matrix()
        return w[index[:, 0], index[:, 1]]

    def matrix(self) -> torch.Tensor:
        """(dim, dim): W = U U^T - V V^T."""
        return self.u @ self.u.T - self.v @ self.v.T


def matrix_factorisation(spec: MatrixFactorisationSpec,
                         generator: torch.Generator) -> MatrixFactorisation:
    return MatrixFactorisation(spec, generator)
