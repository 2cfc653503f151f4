"""The two-layer CNN of the initial-condensation experiments on convolutional networks.

f(x) = sum_c a_c sum_p sigma((k_c * x)_p + b_c): one convolution layer, sum-pooling over
positions, then one readout weight per kernel and output (Zhou, Zhou, Li, Xu 2023, Sec. 3). The
pooled readout makes every kernel see the whole image, so the kernels share one gradient
direction at small init.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from harness.models.activations import activation
from harness.models.specs import CNNSpec


class TwoLayerCNN(nn.Module):
    def __init__(self, spec: CNNSpec, generator: torch.Generator):
        super().__init__()
        self.sigma = activation(spec.activation)

        def normal(*shape: int, std: float) -> nn.Parameter:
            return nn.Parameter(std * torch.randn(*shape, generator=generator, dtype=spec.dtype))

        k = spec.kernel_size
        self.weight = normal(spec.channels, spec.in_channels, k, k, std=spec.w_std)
        self.bias = normal(spec.channels, std=spec.w_std)
        self.readout = normal(spec.channels, spec.out_dim, std=spec.a_std)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = self.sigma(F.conv2d(x, self.weight, self.bias)).sum(dim=(2, 3))
        return pooled @ self.readout

    def kernels(self) -> torch.Tensor:
        """(channels, in_channels * k * k + 1): each kernel flattened, with its bias last."""
        return torch.cat([self.weight.flatten(1), self.bias[:, None]], dim=1)

    def kernel_output_weights(self) -> torch.Tensor:
        """(channels, out_dim): each kernel's readout weights."""
        return self.readout


def two_layer_cnn(spec: CNNSpec, generator: torch.Generator) -> TwoLayerCNN:
    return TwoLayerCNN(spec, generator)
