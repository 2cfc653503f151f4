"""Small 2-D acoustic full-waveform-inversion problems: a layered velocity model with a lens, a
smooth starting model, a surface survey, and noisy recorded data (the setting of Yan, Wu, Xu, Ma
2023, shrunk). Wave propagation is deepwave's scalar propagator, differentiable in the velocity.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from harness.extras import require


@dataclass(frozen=True)
class Survey:
    """A 2-D grid (depth, distance) with spacing `dx` (m), a Ricker source of `freq` Hz per shot
    one cell below the free surface, and receivers along the surface; `nt` samples of `dt` s."""

    depth: int = 30
    distance: int = 60
    dx: float = 10.0
    dt: float = 0.002
    nt: int = 200
    freq: float = 8.0
    shots: int = 2
    receivers: int = 10


def layered_lens_model(survey: Survey, generator: torch.Generator) -> torch.Tensor:
    """Three layers (1500, 2000, 2500 m/s) with randomly jittered interfaces and a +300 m/s
    Gaussian lens at a random position in the middle layer, shape (depth, distance)."""
    def uniform() -> float:
        return float(torch.rand((), generator=generator))

    z = torch.arange(survey.depth, dtype=torch.float32)[:, None]
    x = torch.arange(survey.distance, dtype=torch.float32)[None, :]
    top = survey.depth * (1 / 3 + 0.07 * uniform())
    bottom = survey.depth * (2 / 3 + 0.07 * uniform())
    lens_z = survey.depth * (0.45 + 0.1 * uniform())
    lens_x = survey.distance * (0.3 + 0.4 * uniform())
    lens = 300 * torch.exp(-((z - lens_z) ** 2 + (x - lens_x) ** 2) / (2 * 4.0**2))
    return 1500 + 500 * (z > top).float() + 500 * (z > bottom).float() + lens


def linear_start(survey: Survey, top: float = 1500.0, bottom: float = 2500.0) -> torch.Tensor:
    """The conventional smooth start: velocity linear in depth, shape (depth, distance)."""
    column = torch.linspace(top, bottom, survey.depth)[:, None]
    return column.expand(survey.depth, survey.distance).contiguous()


def record(velocity: torch.Tensor, survey: Survey) -> torch.Tensor:
    """Receiver data (shots, receivers, nt) of the scalar wave equation in `velocity`, with a free
    surface on top and absorbing layers elsewhere."""
    deepwave = require("deepwave", "wave")
    sources = torch.zeros(survey.shots, 1, 2, dtype=torch.long)
    sources[..., 0] = 1
    sources[:, 0, 1] = torch.linspace(5, survey.distance - 6, survey.shots).long()
    receivers = torch.zeros(survey.shots, survey.receivers, 2, dtype=torch.long)
    receivers[..., 0] = 1
    receivers[..., 1] = torch.linspace(2, survey.distance - 3, survey.receivers).long()
    wavelet = deepwave.wavelets.ricker(survey.freq, survey.nt, survey.dt, 1.5 / survey.freq)
    device = velocity.device
    return deepwave.scalar(
        velocity, survey.dx, survey.dt,
        source_amplitudes=wavelet.repeat(survey.shots, 1, 1).to(device),
        source_locations=sources.to(device), receiver_locations=receivers.to(device),
        pml_width=[0, 20, 20, 20], boundary=["free", "pml", "pml", "pml"],
        pml_freq=survey.freq, max_vel=4000.0)[-1]
