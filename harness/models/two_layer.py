"""The two-layer fully connected network of the phase-diagram papers.

f(x) = (1/alpha) * sum_k a_k * sigma(w_k . x + b_k), with (w_k, b_k) ~ N(0, w_std^2) and
a_k ~ N(0, a_std^2) (Luo, Xu, Ma, Zhang 2021, Sec. 2). Antisymmetric initialisation pairs every
neuron with a copy whose output weight is negated, so the network is exactly zero at the start.
Without biases (spec.bias=False) the biases are a zero buffer: the bias column of
neuron_input_weights() is 0.
"""

from __future__ import annotations

import torch
from torch import nn

from harness.models.activations import activation
from harness.models.specs import TwoLayerSpec


class TwoLayerNet(nn.Module):
    def __init__(self, spec: TwoLayerSpec, generator: torch.Generator):
        super().__init__()
        self.sigma = activation(spec.activation)
        self.alpha = spec.alpha
        drawn = spec.width // 2 if spec.antisymmetric else spec.width

        def normal(*shape: int, std: float) -> torch.Tensor:
            return std * torch.randn(*shape, generator=generator, dtype=spec.dtype)

        w = normal(drawn, spec.in_dim + spec.bias, std=spec.w_std)
        a = normal(drawn, spec.out_dim, std=spec.a_std)
        if spec.antisymmetric:
            w, a = torch.cat([w, w]), torch.cat([a, -a])
        self.w = nn.Parameter(w[:, :spec.in_dim].contiguous())
        if spec.bias:
            self.b = nn.Parameter(w[:, -1].contiguous())
        else:
            self.register_buffer("b", torch.zeros(spec.width, dtype=spec.dtype))
        self.a = nn.Parameter(a)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.sigma(x @ self.w.T + self.b) @ self.a / self.alpha

    def neuron_input_weights(self) -> torch.Tensor:
        """(width, in_dim + 1): each hidden neuron's input weights with its bias last."""
        return torch.cat([self.w, self.b[:, None]], dim=1)

    def neuron_output_weights(self) -> torch.Tensor:
        """(width, out_dim): each hidden neuron's output weights."""
        return self.a


def two_layer_net(spec: TwoLayerSpec, generator: torch.Generator) -> TwoLayerNet:
    return TwoLayerNet(spec, generator)
