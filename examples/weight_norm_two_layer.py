"""A user's architecture for the `two-layer` role: the same network with weight normalisation.

Each neuron's input weights are w_k = g_k v_k / ||v_k||, trained through (g_k, v_k) (Salimans &
Kingma 2016). Does the suite's two-layer phenomena survive the re-parametrisation? Run

    pytest phenomena/ -n auto --arch two-layer=examples.weight_norm_two_layer:weight_norm_two_layer

The factory follows the role's contract (harness/roles.py): it takes the spec and the generator,
draws every random number from the generator, and exposes the hooks the measures read.
"""

from __future__ import annotations

import torch
from torch import nn

from harness.models import TwoLayerSpec
from harness.models.activations import activation


class WeightNormTwoLayer(nn.Module):
    def __init__(self, spec: TwoLayerSpec, generator: torch.Generator):
        super().__init__()
        self.sigma, self.alpha = activation(spec.activation), spec.alpha
        drawn = spec.width // 2 if spec.antisymmetric else spec.width
        w = spec.w_std * torch.randn(drawn, spec.in_dim + 1, generator=generator,
                                     dtype=spec.dtype)
        a = spec.a_std * torch.randn(drawn, spec.out_dim, generator=generator, dtype=spec.dtype)
        if spec.antisymmetric:
            w, a = torch.cat([w, w]), torch.cat([a, -a])
        self.v = nn.Parameter(w)
        self.g = nn.Parameter(w.norm(dim=1))
        self.a = nn.Parameter(a)

    def neuron_input_weights(self) -> torch.Tensor:
        return self.g[:, None] * self.v / self.v.norm(dim=1, keepdim=True)

    def neuron_output_weights(self) -> torch.Tensor:
        return self.a

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.neuron_input_weights()
        return self.sigma(x @ w[:, :-1].T + w[:, -1]) @ self.a / self.alpha


def weight_norm_two_layer(spec: TwoLayerSpec, generator: torch.Generator) -> WeightNormTwoLayer:
    return WeightNormTwoLayer(spec, generator)
