"""What one seed of one claim sees: its generators, device, budgets and role factories."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from harness.roles import Architectures
from harness.seeding import numpy_generator, torch_generator

T = TypeVar("T")
_shared_results: dict[tuple, Any] = {}


@dataclass(frozen=True)
class Settings:
    """Session-wide choices, from the command line."""

    scale: str
    base_seed: int
    device: torch.device
    architectures: Architectures


@dataclass
class Run:
    """One seed of one side (claim or control) of a claim.

    `generator` (torch, CPU) and `rng` (numpy) are the only sources of randomness an experiment
    may use. Random tensors are drawn on the CPU and moved, so draws do not depend on the device.
    """

    seed: int
    settings: Settings
    generator: torch.Generator = field(init=False)
    rng: np.random.Generator = field(init=False)
    roles_built: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.generator = torch_generator(self.seed)
        self.rng = numpy_generator(self.seed)

    @property
    def scale(self) -> str:
        return self.settings.scale

    @property
    def device(self) -> torch.device:
        return self.settings.device

    def scaled(self, ci: T, paper: T) -> T:
        """The budget for the session's scale: `run.scaled(ci=400, paper=4000)`."""
        return ci if self.scale == "ci" else paper

    def role(self, name: str, **spec_fields) -> nn.Module:
        """A model of role `name`, built by the session's factory for it and moved to the device."""
        self.roles_built.add(name)
        model = self.settings.architectures.build(name, self.generator, **spec_fields)
        return model.to(self.device)

    def to_device(self, *tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(t.to(self.device) for t in tensors)

    def shared(self, experiment: Callable[..., T], **kwargs: Any) -> T:
        """`experiment(run, **kwargs)`, computed once per process for this seed and settings.

        Claims that read different measures off one training run declare the same `seed_name`
        (so they get the same seeds) and call the run through here; it should return measures,
        not models. The experiment gets a fresh Run of this seed, so what the caller drew before
        does not change it.
        """
        key = (experiment.__module__, experiment.__qualname__, self.seed, self.scale,
               str(self.device), self.settings.architectures.origins(),
               tuple(sorted(kwargs.items())))
        if key not in _shared_results:
            fresh = Run(self.seed, self.settings)
            _shared_results[key] = experiment(fresh, **kwargs), frozenset(fresh.roles_built)
        result, roles = _shared_results[key]
        self.roles_built |= roles
        return result
