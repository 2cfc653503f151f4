"""A deep linear network W_depth ... W_1 x (Saxe et al. 2014): linear as a function, nonlinear in
its parameters, so small-init gradient descent learns the target's singular modes one at a time."""

from __future__ import annotations

import torch
from torch import nn

from harness.models.specs import DeepLinearSpec
from harness.seeding import random_orthogonal


class DeepLinear(nn.Module):
    def __init__(self, spec: DeepLinearSpec, generator: torch.Generator):
        super().__init__()
        sizes = [spec.in_dim] + [spec.width] * (spec.depth - 1) + [spec.out_dim]
        layers = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            if spec.init == "gaussian":
                w = spec.init_std * torch.randn(fan_out, fan_in, generator=generator,
                                                dtype=spec.dtype)
            elif index == spec.depth - 1:
                w = torch.zeros(fan_out, fan_in, dtype=spec.dtype)
            else:
                q = random_orthogonal(max(fan_in, fan_out), generator, dtype=spec.dtype)
                w = spec.init_std * q[:fan_out, :fan_in]
            layers.append(nn.Parameter(w))
        self.layers = nn.ParameterList(layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for w in self.layers:
            x = x @ w.T
        return x

    def end_to_end(self) -> torch.Tensor:
        """(out_dim, in_dim): the product W_depth ... W_1."""
        product = self.layers[0]
        for w in self.layers[1:]:
            product = w @ product
        return product


def deep_linear(spec: DeepLinearSpec, generator: torch.Generator) -> DeepLinear:
    return DeepLinear(spec, generator)
