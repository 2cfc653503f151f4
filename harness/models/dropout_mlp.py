"""The deep fully connected network with dropout on every hidden layer, the masks passed in.

f(x; m) applies sigma(W_l h + b_l) * m_l at hidden layer l = 1..depth, then the linear readout;
dropout with keep probability p draws m_l ~ Bernoulli(p) / p (the FNN setting of Zhang, Li, Luo,
Xu 2023). As for the dropout two-layer network, the masks are an argument, so the caller draws
them from the claim's generator.
"""

from __future__ import annotations

import torch

from harness.models.mlp import MLP
from harness.models.specs import MLPSpec


class DropoutMLP(MLP):
    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """`mask`: (depth, n, width), or None for no dropout."""
        for layer, (w, b) in enumerate(zip(self.weights[:-1], self.biases[:-1], strict=True)):
            x = self.sigma(x @ w.T + b)
            if mask is not None:
                x = x * mask[layer]
        self._features = x
        return x @ self.weights[-1].T + self.biases[-1]


def dropout_mlp(spec: MLPSpec, generator: torch.Generator) -> DropoutMLP:
    return DropoutMLP(spec, generator)
