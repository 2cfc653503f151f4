"""The two-layer network with dropout on its hidden layer, the mask passed in explicitly.

f(x; mask) = (1/alpha) sum_k a_k m_k sigma(w_k . x + b_k), with m of shape (n, width); dropout with
keep probability p draws m_k ~ Bernoulli(p) / p (Zhang, Li, Luo, Xu 2023, Sec. 3). The mask is an
argument rather than a module state, so the caller draws it from the claim's generator and
torch.func can differentiate the loss for a given mask (per-mask gradients, exact Hessians).
"""

from __future__ import annotations

import torch

from harness.models.specs import TwoLayerSpec
from harness.models.two_layer import TwoLayerNet


class DropoutTwoLayerNet(TwoLayerNet):
    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        hidden = self.sigma(x @ self.w.T + self.b)
        if mask is not None:
            hidden = hidden * mask
        return hidden @ self.a / self.alpha


def dropout_two_layer_net(spec: TwoLayerSpec, generator: torch.Generator) -> DropoutTwoLayerNet:
    return DropoutTwoLayerNet(spec, generator)


def dropout_masks(shape: tuple[int, ...], keep: float, generator: torch.Generator,
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Masks m ~ Bernoulli(keep) / keep of `shape`, so E[m] = 1 (inverted dropout)."""
    if not 0 < keep <= 1:
        raise ValueError(f"dropout keep probability must be in (0, 1], got {keep}")
    return torch.bernoulli(torch.full(shape, keep, dtype=dtype), generator=generator) / keep
