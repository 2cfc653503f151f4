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
from harness.traces import Traces

T = TypeVar("T")
_shared_results: dict[tuple, Any] = {}
_breakages = [0]  # degenerate models (harness/degenerate.py) that have broken in this process


def count_breakage() -> None:
    """Called by a degenerate model when its breakage begins: the sanity check tells a claim
    that no broken model entered (it trains nothing) from one that a broken model passed."""
    _breakages[0] += 1


@dataclass(frozen=True)
class Settings:
    """Session-wide choices, from the command line. `traces`: whether experiments' traces are
    kept (the session asked for figures or a report that holds them)."""

    scale: str
    base_seed: int
    device: torch.device
    architectures: Architectures
    traces: bool = False


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
    invalid: list[str] = field(default_factory=list)
    traced: Traces | None = field(init=False)
    _breakages_at_start: int = field(init=False)
    _breakages_replayed: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.generator = torch_generator(self.seed)
        self.rng = numpy_generator(self.seed)
        self.traced = Traces() if self.settings.traces else None
        self._breakages_at_start = _breakages[0]

    @property
    def breakages(self) -> int:
        """How many degenerate models broke during this seed, shared runs it read included
        (seeds of one process are measured one after another)."""
        return _breakages[0] - self._breakages_at_start + self._breakages_replayed

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

    def require(self, condition: bool, reason: str) -> bool:
        """Declare that this seed's measurement is valid only if `condition` holds: the setting
        reached what the metric presupposes (the network fitted the data, the loss stayed finite,
        the event the metric times happened within the budget). An invalid seed counts against
        the claim on the claim side and does not refute it on the control side; the report
        gives `reason`. Returns `condition`, so an experiment can stop early."""
        if not condition:
            self.invalid.append(reason)
        return bool(condition)

    @property
    def tracing(self) -> bool:
        """Whether traces are kept: guard a trace whose value costs more than reading it off."""
        return self.traced is not None

    def trace(self, name: str, x: float, value: float, *, x_label: str = "step",
              level: float | None = None) -> None:
        """Record one point (x, value) of the curve `name` (a float or a one-element tensor;
        nothing is drawn from the generators). `level`: a reference line the figure draws (the
        accuracy a crossing times, 2 / lr). A no-op unless the session keeps traces."""
        if self.traced is not None:
            self.traced.curve(name, x, value, x_label, level)

    def trace_array(self, name: str, array) -> None:
        """Record a small array (a spectrum, an attention map, a histogram) under `name`;
        large ones are strided when stored. A no-op unless the session keeps traces."""
        if self.traced is not None:
            self.traced.array(name, array)

    def to_device(self, *tensors: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(t.to(self.device) for t in tensors)

    def shared(self, experiment: Callable[..., T], **kwargs: Any) -> T:
        """`experiment(run, **kwargs)`, computed once per process for this seed and settings.

        Claims that read different measures off one training run declare the same `seed_name`
        (so they get the same seeds) and call the run through here; it should return measures,
        not models. The experiment gets a fresh Run of this seed, so what the caller drew before
        does not change it; what it requires (`require`) holds for every caller.
        """
        key = (experiment.__module__, experiment.__qualname__, self.seed, self.scale,
               str(self.device), self.settings.architectures.origins(),
               tuple(sorted(kwargs.items())))
        if key in _shared_results:
            result, roles, invalid, breakages, traced = _shared_results[key]
            self._breakages_replayed += breakages
        else:
            fresh = Run(self.seed, self.settings)
            try:
                result = experiment(fresh, **kwargs)
            finally:  # a crash is reported with the models it ran on
                self.roles_built |= fresh.roles_built
            roles, invalid, breakages, traced = (frozenset(fresh.roles_built),
                                                 tuple(fresh.invalid), fresh.breakages,
                                                 fresh.traced)
            _shared_results[key] = result, roles, invalid, breakages, traced
        self.roles_built |= roles
        self.invalid.extend(invalid)
        if self.traced is not None and traced is not None:
            self.traced.extend(traced)
        return result
