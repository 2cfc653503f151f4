"""Degenerate models: factories that meet a role's contract but are broken on purpose, so that
every claim can be shown to fail on them (`python -m harness.sanity`).

Each breakage wraps the role's default model; the wrapper passes the role's hooks through, so
the claims measure the broken model as they would a healthy one:

- `blind`: the output ignores the input: every example gets the model's output at a fixed input
  (zeros; for a model without input, the mean of its output everywhere). Its weights still train.
- `frozen`: training stops after a few steps: after `STEPS_BEFORE_BREAKING` forward passes with
  gradients, the forward pass runs without gradients to the weights, so no optimiser moves them.
- `nan`: training dies after a few steps: from then on the output is NaN.
- `noise`: after a few steps the output is random: a fresh Gaussian draw at every forward pass,
  seeded from the factory's generator, independent of the input and of the weights.

`--arch ROLE=harness.degenerate:BREAKAGE.ROLE_NAME` (the role's name with '_' for '-') selects
one, e.g. `--arch two-layer=harness.degenerate:nan.two_layer`. A role whose contract refuses a
breakage at load (a linear role cannot be blind) is left out of that breakage's run.
"""

from __future__ import annotations

import torch
from torch import nn

from harness.roles import ROLES, ArchitectureError, Factory, check_factory
from harness.run import count_breakage

STEPS_BEFORE_BREAKING = 20
BREAKAGES = ("blind", "frozen", "nan", "noise")
# A speed path that would bypass the breakage: the wrapper does not pass it through, so
# training goes through the broken forward.
NOT_PASSED_THROUGH = ("last_logits",)


class Broken(nn.Module):
    """A role's model with one breakage (see the module docstring)."""

    def __init__(self, inner: nn.Module, breakage: str, generator: torch.Generator):
        super().__init__()
        self.inner = inner
        self.breakage = breakage
        self.training_steps = 0
        self.has_broken = False
        # Keeps a graph to differentiate once the inner model is out of it (frozen, noise).
        self.alive = nn.Parameter(torch.zeros(()))
        seed = int(torch.randint(2 ** 62, (1,), generator=generator))
        self.noise = torch.Generator().manual_seed(seed)

    def __getattr__(self, name: str):
        try:
            return super().__getattr__(name)
        except AttributeError:
            if name in NOT_PASSED_THROUGH:
                raise
            return getattr(self._modules["inner"], name)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            self.training_steps += 1
        if self.breakage == "blind":
            self._announce()
            return self._blind(inputs)
        broken = self.training_steps > STEPS_BEFORE_BREAKING
        if broken:
            self._announce()
        if self.breakage == "frozen" and broken:
            with torch.no_grad():
                output = self.inner(*inputs)
            return output + 0 * self.alive
        output = self.inner(*inputs)
        if not broken:
            return output
        if self.breakage == "nan":
            return output * float("nan")
        draw = torch.randn(output.shape, generator=self.noise, dtype=output.dtype)
        return draw.to(output.device) + 0 * output + 0 * self.alive

    def _announce(self) -> None:
        """Count this model's breakage once, when it takes effect (see run.count_breakage)."""
        if not self.has_broken:
            self.has_broken = True
            count_breakage()

    def _blind(self, inputs: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if not inputs:
            output = self.inner()
            return output.mean().expand_as(output)
        first, *rest = inputs
        return self.inner(torch.zeros_like(first), *rest)


def broken_factory(role_name: str, breakage: str) -> Factory:
    default = ROLES[role_name].default

    def factory(spec, generator: torch.Generator) -> nn.Module:
        return Broken(default(spec, generator), breakage, generator)

    factory.__name__ = factory.__qualname__ = f"{breakage}_{role_name.replace('-', '_')}"
    return factory


class _Breakage:
    """The broken factories of one breakage, one attribute per role (`nan.two_layer`)."""

    def __init__(self, breakage: str):
        self.breakage = breakage

    def __getattr__(self, attribute: str) -> Factory:
        role_name = attribute.replace("_", "-")
        if role_name not in ROLES:
            raise AttributeError(attribute)
        return broken_factory(role_name, self.breakage)


blind, frozen, nan, noise = (_Breakage(b) for b in BREAKAGES)


def breakable_roles(breakage: str) -> list[str]:
    """The roles whose contract accepts the broken factory (a linear role's contract, say,
    refuses a blind model at load: the contract itself catches that breakage)."""
    def accepted(name: str) -> bool:
        try:
            check_factory(ROLES[name], broken_factory(name, breakage))
        except ArchitectureError:
            return False
        return True

    return [name for name in ROLES if accepted(name)]


def arch_options(breakage: str) -> list[str]:
    """`--arch` values that replace the factory of every role it can break with its broken
    one."""
    return [f"--arch={name}=harness.degenerate:{breakage}.{name.replace('-', '_')}"
            for name in breakable_roles(breakage)]
