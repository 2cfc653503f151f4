"""A deep fully connected network whose penultimate features are exposed (the features()
hook), for measures read off the last hidden layer (neural collapse)."""

from __future__ import annotations

import math

import torch
from torch import nn

from harness.models.activations import activation
from harness.models.specs import MLPSpec


class MLP(nn.Module):
    def __init__(self, spec: MLPSpec, generator: torch.Generator):
        super().__init__()
        self.sigma = activation(spec.activation)
        sizes = [spec.in_dim] + [spec.width] * spec.depth + [spec.out_dim]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
            w = torch.randn(fan_out, fan_in, generator=generator, dtype=spec.dtype)
            self.weights.append(nn.Parameter(w * spec.gain / math.sqrt(fan_in)))
            self.biases.append(nn.Parameter(torch.zeros(fan_out, dtype=spec.dtype)))
        self._features: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            x = self.sigma(x @ w.T + b)
        self._features = x
        return x @ self.weights[-1].T + self.biases[-1]

    def features(self) -> torch.Tensor:
        """(n, width): the last hidden layer's activations in the last forward."""
        if self._features is None:
            raise RuntimeError("features() before any forward")
        return self._features


def mlp(spec: MLPSpec, generator: torch.Generator) -> MLP:
    return MLP(spec, generator)
