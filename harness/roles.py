"""Roles: the kinds of model claims train, each with one written contract, and the `--arch` swap.

A role is a name ("two-layer"), a spec dataclass of constructor arguments, the default factory, and
a contract check. A factory is any callable `factory(spec, generator) -> torch.nn.Module`; it must
draw every random number from `generator`. The check builds a small probe model and verifies shapes
and hooks, so a factory that does not fit is refused when it is loaded, with one line saying why.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pytest
import torch
from torch import nn

from harness.models import (
    CNNSpec,
    DiagonalLinearSpec,
    EmbeddingMLPSpec,
    ImagePriorSpec,
    MatrixFactorisationSpec,
    TransformerSpec,
    TwoLayerSpec,
    diagonal_linear,
    dropout_two_layer_net,
    embedding_mlp,
    image_prior,
    matrix_factorisation,
    transformer,
    two_layer_cnn,
    two_layer_net,
)
from harness.train import last_position_logits

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
    _expect_shape(f"forward of a (5, {spec.in_dim}) batch", y, (5, spec.out_dim))
    if spec.antisymmetric and y.abs().max() > 1e-6:
        raise ArchitectureError("antisymmetric=True must give an output of exactly 0 at init")
    with torch.no_grad():
        _hook(model, "neuron_input_weights", (spec.width, spec.in_dim + 1))
        _hook(model, "neuron_output_weights", (spec.width, spec.out_dim))


def _expect_shape(what: str, got: object, shape: tuple[int, ...]) -> None:
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != shape:
        found = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise ArchitectureError(f"{what} gave {found}, expected {shape}")


class MissingHook(ArchitectureError):
    """The model lacks a hook a measure reads: claims that read it are skipped, not the run."""

    def __init__(self, hook: str):
        super().__init__(f"the model has no method {hook}()")
        self.hook = hook


def _hook(model: nn.Module, name: str, shape: tuple[int, ...]) -> torch.Tensor:
    if not callable(getattr(model, name, None)):
        raise MissingHook(name)
    value = getattr(model, name)()
    _expect_shape(f"{name}()", value, shape)
    return value


def _check_transformer(model: nn.Module, spec: TransformerSpec) -> None:
    batch, seq = 3, spec.max_len
    tokens = torch.randint(spec.vocab, (batch, seq), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        _expect_shape(f"forward of ({batch}, {seq}) token ids", model(tokens),
                      (batch, seq, spec.vocab))
    if not callable(getattr(model, "attention_maps", None)):
        raise MissingHook("attention_maps")
    maps = list(model.attention_maps())
    if len(maps) != spec.n_layers:
        raise ArchitectureError(f"attention_maps() gave {len(maps)} layers, expected "
                                f"{spec.n_layers}")
    for layer, weights in enumerate(maps):
        _expect_shape(f"attention_maps()[{layer}]", weights, (batch, spec.n_heads, seq, seq))
        if not torch.allclose(weights.sum(-1), torch.ones((), dtype=weights.dtype), atol=1e-4):
            raise ArchitectureError(f"attention_maps()[{layer}] rows do not sum to 1")
        if spec.causal and weights.triu(1).abs().max() > 0:
            raise ArchitectureError(f"causal=True but attention_maps()[{layer}] looks ahead")
    _hook(model, "features", (batch, seq, spec.d_model))
    _check_last_logits(model, tokens)


def _check_last_logits(model: nn.Module, tokens: torch.Tensor) -> None:
    """The optional speed path, as training reaches it, must agree with the forward it stands
    in for."""
    with torch.no_grad():
        expected, got = model(tokens)[:, -1], last_position_logits(model, tokens)
    _expect_shape("last_logits(tokens)", got, tuple(expected.shape))
    if not torch.allclose(got, expected, atol=1e-4, rtol=1e-4):
        raise ArchitectureError("last_logits(tokens) differs from forward(tokens)[:, -1] by "
                                f"{float((got - expected).abs().max()):.3g}")


def _check_embedding_mlp(model: nn.Module, spec: EmbeddingMLPSpec) -> None:
    tokens = torch.randint(spec.vocab, (5, spec.n_tokens),
                           generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        _expect_shape(f"forward of (5, {spec.n_tokens}) token ids", model(tokens),
                      (5, spec.out_dim or spec.vocab))
    _hook(model, "embeddings", (spec.n_tokens, spec.vocab, spec.width))
    _hook(model, "features", (5, spec.width))


def _check_diagonal_linear(model: nn.Module, spec: DiagonalLinearSpec) -> None:
    x = torch.randn(5, spec.dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        _expect_shape(f"forward of a (5, {spec.dim}) batch", model(x), (5,))
        w = _hook(model, "weights", (spec.dim,))
    if w.abs().max() > 1e-12:
        raise ArchitectureError("weights() must be 0 at init (u = v)")


def _check_matrix_factorisation(model: nn.Module, spec: MatrixFactorisationSpec) -> None:
    index = torch.tensor([[0, 1], [1, 0], [2, 2]])
    with torch.no_grad():
        _expect_shape("forward of (3, 2) index pairs", model(index), (3,))
        w = _hook(model, "matrix", (spec.dim, spec.dim))
    if w.abs().max() > 1e-12:
        raise ArchitectureError("matrix() must be 0 at init (U = V)")


def _check_dropout_two_layer(model: nn.Module, spec: TwoLayerSpec) -> None:
    _check_two_layer(model, spec)
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(1), dtype=spec.dtype)
    ones = torch.ones(5, spec.width, dtype=spec.dtype)
    with torch.no_grad():
        if not torch.allclose(model(x, ones), model(x)):
            raise ArchitectureError("forward(x, mask of ones) must equal forward(x)")
        if model(x, torch.zeros_like(ones)).abs().max() > 1e-6:
            raise ArchitectureError("forward(x, mask of zeros) must be 0 (every unit dropped)")


def _check_cnn(model: nn.Module, spec: CNNSpec) -> None:
    size = spec.image_size
    x = torch.randn(5, spec.in_channels, size, size, generator=torch.Generator().manual_seed(0),
                    dtype=spec.dtype)
    with torch.no_grad():
        _expect_shape(f"forward of a (5, {spec.in_channels}, {size}, {size}) batch", model(x),
                      (5, spec.out_dim))
        _hook(model, "kernels", (spec.channels, spec.in_channels * spec.kernel_size ** 2 + 1))
        _hook(model, "kernel_output_weights", (spec.channels, spec.out_dim))


def _check_image_prior(model: nn.Module, spec: ImagePriorSpec) -> None:
    field = model()
    _expect_shape("forward()", field, (spec.height, spec.width))
    if field.abs().max() > 1:
        raise ArchitectureError("forward() must lie in [-1, 1]")
    if not any(p.requires_grad for p in model.parameters()):
        raise ArchitectureError("the model has no trainable parameters")


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
        Role(
            name="transformer",
            spec=TransformerSpec,
            default=transformer,
            probe=TransformerSpec(vocab=7, max_len=4, n_layers=2, d_model=8, n_heads=2, d_ff=16,
                                  norm="pre", causal=True),
            check=_check_transformer,
            contract=(
                "factory(spec: TransformerSpec, generator) -> nn.Module; forward (batch, seq) "
                "token ids -> (batch, seq, vocab) logits; attention_maps() -> per layer "
                "(batch, heads, seq, seq) weights of the last forward, rows summing to 1, none "
                "ahead when causal; features() -> (batch, seq, d_model) pre-logit features of "
                "the last forward; optional last_logits(tokens) -> (batch, vocab), equal to "
                "forward(tokens)[:, -1], used to train on last-position answers faster"
            ),
        ),
        Role(
            name="embedding-mlp",
            spec=EmbeddingMLPSpec,
            default=embedding_mlp,
            probe=EmbeddingMLPSpec(vocab=7, n_tokens=2, width=8),
            check=_check_embedding_mlp,
            contract=(
                "factory(spec: EmbeddingMLPSpec, generator) -> nn.Module; forward (n, n_tokens) "
                "token ids -> (n, out_dim or vocab); embeddings() -> (n_tokens, vocab, width); "
                "features() -> (n, width) hidden activations of the last forward"
            ),
        ),
        Role(
            name="diagonal-linear",
            spec=DiagonalLinearSpec,
            default=diagonal_linear,
            probe=DiagonalLinearSpec(dim=6, alpha=2.0),
            check=_check_diagonal_linear,
            contract=(
                "factory(spec: DiagonalLinearSpec, generator) -> nn.Module; forward (n, dim) -> "
                "(n,); weights() -> (dim,) linear predictor, 0 at init"
            ),
        ),
        Role(
            name="matrix-factorisation",
            spec=MatrixFactorisationSpec,
            default=matrix_factorisation,
            probe=MatrixFactorisationSpec(dim=4, alpha=2.0),
            check=_check_matrix_factorisation,
            contract=(
                "factory(spec: MatrixFactorisationSpec, generator) -> nn.Module; forward (n, 2) "
                "(row, column) pairs -> (n,) entries; matrix() -> (dim, dim), 0 at init"
            ),
        ),
        Role(
            name="dropout-two-layer",
            spec=TwoLayerSpec,
            default=dropout_two_layer_net,
            probe=TwoLayerSpec(in_dim=3, width=8, out_dim=2, activation="tanh"),
            check=_check_dropout_two_layer,
            contract=(
                "the two-layer contract, and forward(x, mask) with mask (n, width) multiplying "
                "the hidden units: a mask of ones gives forward(x), a mask of zeros gives 0"
            ),
        ),
        Role(
            name="cnn",
            spec=CNNSpec,
            default=two_layer_cnn,
            probe=CNNSpec(in_channels=2, channels=3, kernel_size=3, image_size=6, out_dim=2),
            check=_check_cnn,
            contract=(
                "factory(spec: CNNSpec, generator) -> nn.Module; forward (n, in_channels, "
                "image_size, image_size) -> (n, out_dim); kernels() -> (channels, in_channels * "
                "kernel_size^2 + 1) with the bias last; kernel_output_weights() -> (channels, "
                "out_dim)"
            ),
        ),
        Role(
            name="image-prior",
            spec=ImagePriorSpec,
            default=image_prior,
            probe=ImagePriorSpec(height=9, width=14, channels=4, latent=2),
            check=_check_image_prior,
            contract=(
                "factory(spec: ImagePriorSpec, generator) -> nn.Module; forward() with no input "
                "-> (height, width) field in [-1, 1] from trainable weights"
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


def check_factory(role: Role, factory: Factory) -> str | None:
    """Build the role's probe model with `factory` and check it against the contract.

    Returns the name of a hook the model lacks (the checks after it are not run), else None.
    """
    try:
        model = factory(role.probe, torch.Generator().manual_seed(0))
    except Exception as exc:
        raise ArchitectureError(f"factory raised {type(exc).__name__}: {exc}") from None
    if not isinstance(model, nn.Module):
        raise ArchitectureError(f"factory returned {type(model).__name__}, not a torch.nn.Module")
    try:
        role.check(model, role.probe)
    except MissingHook as exc:
        return exc.hook
    except ArchitectureError:
        raise
    except Exception as exc:
        raise ArchitectureError(f"probe model failed: {type(exc).__name__}: {exc}") from None
    return None


@dataclass(frozen=True)
class Architectures:
    """The factory each role uses in this session, where it came from, and which hook (if any)
    its models lack."""

    factories: Mapping[str, tuple[Factory, str]]
    missing_hooks: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_options(cls, overrides: list[str]) -> Architectures:
        """Parse `--arch ROLE=module:callable` values; each override is loaded and checked."""
        factories = {name: (role.default, "default") for name, role in ROLES.items()}
        missing_hooks = {}
        for value in overrides:
            name, sep, target = value.partition("=")
            if not sep:
                raise ArchitectureError(f"{value!r} is not of the form ROLE=module:callable")
            role = role_named(name)
            factory = load_factory(target)
            try:
                missing = check_factory(role, factory)
            except ArchitectureError as exc:
                raise ArchitectureError(f"{target} does not fit role {name!r}: {exc} "
                                        f"(contract: {role.contract})") from None
            factories[name] = (factory, target)
            if missing:
                missing_hooks[name] = missing
        return cls(factories, missing_hooks)

    def build(self, name: str, generator: torch.Generator, **spec_fields) -> nn.Module:
        """A model of role `name`. If its factory's models lack a hook, calling that hook skips
        the claim (with the reason in the table) instead of crashing the run."""
        role = role_named(name)
        factory, origin = self.factories[name]
        model = factory(role.spec(**spec_fields), generator)
        hook = self.missing_hooks.get(name)
        if hook:
            def unavailable(*args, **kwargs):
                pytest.skip(f"--arch {name}={origin} has no {hook}(), which this claim reads")

            object.__setattr__(model, hook, unavailable)
        return model

    def origin(self, name: str) -> str:
        return self.factories[name][1]

    def origins(self) -> tuple[tuple[str, str], ...]:
        """(role, origin) for every role: what a cached result depends on."""
        return tuple(sorted((name, origin) for name, (_, origin) in self.factories.items()))


def describe_roles() -> str:
    """Every role's contract, one paragraph each (`pytest --roles`)."""
    return "\n\n".join(f"{name}: {role.contract}" for name, role in ROLES.items())
