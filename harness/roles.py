"""Roles: the kinds of model claims train, each with one written contract, and the `--arch` swap.

A role is a name ("two-layer"), a spec dataclass of constructor arguments, the default factory, and
a contract check. A factory is any callable `factory(spec, generator) -> torch.nn.Module`; it must
draw every random number from `generator`. The check builds a small probe model and verifies shapes
and hooks, so a factory that does not fit is refused when it is loaded, with one line saying why.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points

import torch
from torch import nn

from harness.models import TwoLayerSpec, two_layer_net

Factory = Callable[..., nn.Module]


class ArchitectureError(ValueError):
    """A factory given with --arch cannot be loaded or does not fit its role's contract."""


@dataclass(frozen=True)
class Role:
    name: str
    spec: type
    default: Factory
    probe: object
    check: Callable[[nn.Module, object], None]
    contract: str


def _check_two_layer(model: nn.Module, spec: TwoLayerSpec) -> None:
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        y = model(x)
    if not isinstance(y, torch.Tensor) or tuple(y.shape) != (5, spec.out_dim):
        got = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise ArchitectureError(f"forward of a (5, {spec.in_dim}) batch gave {got}, "
                                f"expected (5, {spec.out_dim})")
    if spec.antisymmetric and y.abs().max() > 1e-6:
        raise ArchitectureError("antisymmetric=True must give an output of exactly 0 at init")
    hooks = {"neuron_input_weights": (spec.width, spec.in_dim + 1),
             "neuron_output_weights": (spec.width, spec.out_dim)}
    for hook, shape in hooks.items():
        if not callable(getattr(model, hook, None)):
            raise ArchitectureError(f"the model has no method {hook}() returning {shape}")
        got = tuple(getattr(model, hook)().shape)
        if got != shape:
            raise ArchitectureError(f"{hook}() gave shape {got}, expected {shape}")


ROLES: dict[str, Role] = {
    role.name: role
    for role in [
        Role(
            name="two-layer",
            spec=TwoLayerSpec,
            default=two_layer_net,
            probe=TwoLayerSpec(in_dim=3, width=8, out_dim=2, activation="tanh", antisymmetric=True),
            check=_check_two_layer,
            contract=(
                "factory(spec: TwoLayerSpec, generator) -> nn.Module; forward (n, in_dim) -> "
                "(n, out_dim); neuron_input_weights() -> (width, in_dim + 1) with the bias last; "
                "neuron_output_weights() -> (width, out_dim); antisymmetric=True gives f = 0 "
                "at init"
            ),
        ),
    ]
}


def role_named(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise ArchitectureError(f"unknown role {name!r}; roles: {', '.join(ROLES)}") from None


ENTRY_POINT_GROUP = "phenomena.architectures"


def registered_factory(name: str) -> Factory:
    """A factory an installed package registered under `name` in the entry-point group."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        known = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
        raise ArchitectureError(f"{name!r} is neither module:callable nor a registered "
                                f"architecture (entry points in {ENTRY_POINT_GROUP!r}: "
                                f"{', '.join(known) or 'none installed'})")
    return next(iter(found)).load()


def load_factory(target: str) -> Factory:
    """Import `module:callable` (the callable may be a dotted attribute path), or load the
    architecture registered under the name `target`."""
    module_name, sep, attr_path = target.partition(":")
    if not sep:
        return registered_factory(target)
    if not module_name or not attr_path:
        raise ArchitectureError(f"{target!r} is not of the form module:callable")
    try:
        obj = importlib.import_module(module_name)
    except ImportError as exc:
        raise ArchitectureError(f"cannot import module {module_name!r}: {exc}") from None
    for attr in attr_path.split("."):
        if not hasattr(obj, attr):
            raise ArchitectureError(f"module {module_name!r} has no attribute {attr_path!r}")
        obj = getattr(obj, attr)
    if not callable(obj):
        raise ArchitectureError(f"{target!r} is not callable")
    return obj


def check_factory(role: Role, factory: Factory) -> None:
    """Build the role's probe model with `factory` and check it against the contract."""
    try:
        model = factory(role.probe, torch.Generator().manual_seed(0))
    except Exception as exc:
        raise ArchitectureError(f"factory raised {type(exc).__name__}: {exc}") from None
    if not isinstance(model, nn.Module):
        raise ArchitectureError(f"factory returned {type(model).__name__}, not a torch.nn.Module")
    try:
        role.check(model, role.probe)
    except ArchitectureError:
        raise
    except Exception as exc:
        raise ArchitectureError(f"probe model failed: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class Architectures:
    """The factory each role uses in this session, and where it came from."""

    factories: Mapping[str, tuple[Factory, str]]

    @classmethod
    def from_options(cls, overrides: list[str]) -> Architectures:
        """Parse `--arch ROLE=module:callable` values; each override is loaded and checked."""
        factories = {name: (role.default, "default") for name, role in ROLES.items()}
        for value in overrides:
            name, sep, target = value.partition("=")
            if not sep:
                raise ArchitectureError(f"{value!r} is not of the form ROLE=module:callable")
            role = role_named(name)
            factory = load_factory(target)
            try:
                check_factory(role, factory)
            except ArchitectureError as exc:
                raise ArchitectureError(f"{target} does not fit role {name!r}: {exc} "
                                        f"(contract: {role.contract})") from None
            factories[name] = (factory, target)
        return cls(factories)

    def build(self, name: str, generator: torch.Generator, **spec_fields) -> nn.Module:
        role = role_named(name)
        factory, _ = self.factories[name]
        return factory(role.spec(**spec_fields), generator)

    def origin(self, name: str) -> str:
        return self.factories[name][1]

    def origins(self) -> tuple[tuple[str, str], ...]:
        """(role, origin) for every role: what a cached result depends on."""
        return tuple(sorted((name, origin) for name, (_, origin) in self.factories.items()))
