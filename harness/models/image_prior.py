"""The deep-image-prior generator: an untrained convolutional decoder of a fixed random input,
whose weights re-parametrise a 2-D field (a velocity model in the inversion claims)."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional

from harness.models.specs import ImagePriorSpec


class ImagePrior(nn.Module):
    def __init__(self, spec: ImagePriorSpec, generator: torch.Generator):
        super().__init__()
        self.shape = (spec.height, spec.width)
        coarse = (max(spec.height // 4, 1), max(spec.width // 4, 1))
        self.register_buffer("code", torch.randn(1, spec.latent, *coarse, generator=generator,
                                                 dtype=spec.dtype))

        def conv(fan_in: int, fan_out: int) -> nn.Conv2d:
            layer = nn.Conv2d(fan_in, fan_out, 3, padding=1, dtype=spec.dtype)
            with torch.no_grad():  # He init, drawn from the claim's generator
                layer.weight.copy_(math.sqrt(2 / (9 * fan_in)) * torch.randn(
                    layer.weight.shape, generator=generator, dtype=spec.dtype))
                layer.bias.zero_()
            return layer

        self.layers = nn.ModuleList([conv(spec.latent, spec.channels),
                                     conv(spec.channels, spec.channels),
                                     conv(spec.channels, 1)])

    def forward(self) -> torch.Tensor:
        """The field, shape (height, width), in [-1, 1]."""
        h = torch.relu(self.layers[0](self.code))
        h = functional.interpolate(h, scale_factor=2, mode="bilinear")
        h = torch.relu(self.layers[1](h))
        h = functional.interpolate(h, size=self.shape, mode="bilinear")
        return torch.tanh(self.layers[2](h))[0, 0]


def image_prior(spec: ImagePriorSpec, generator: torch.Generator) -> ImagePrior:
    return ImagePrior(spec, generator)
