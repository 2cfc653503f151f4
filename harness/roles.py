"""Roles: the kinds of model claims train, each with one written contract, and the `--arch` swap.

A role is a name ("two-layer"), a spec dataclass of constructor arguments, the default factory, and
a contract check (harness/contracts.py). A factory is any callable `factory(spec, generator) ->
torch.nn.Module`; it must draw every random number from `generator`. The check builds a small
probe model and verifies shapes and hooks, so a factory that does not fit is refused when it is
loaded, with one line saying why.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points

import pytest
import torch
from torch import nn

from harness.contracts import (
    ArchitectureError,
    MissingHook,
    check_cnn,
    check_deep_linear,
    check_diagonal_linear,
    check_dropout_mlp,
    check_dropout_two_layer,
    check_embedding_mlp,
    check_image_prior,
    check_linear,
    check_matrix_factorisation,
    check_mlp,
    check_transformer,
    check_two_layer,
)
from harness.models import (
    CNNSpec,
    DeepLinearSpec,
    DiagonalLinearSpec,
    EmbeddingMLPSpec,
    ImagePriorSpec,
    LinearSpec,
    MatrixFactorisationSpec,
    MLPSpec,
    TransformerSpec,
    TwoLayerSpec,
    deep_linear,
    diagonal_linear,
    dropout_mlp,
    dropout_two_layer_net,
    embedding_mlp,
    image_prior,
    linear,
    matrix_factorisation,
    mlp,
    transformer,
    two_layer_cnn,
    two_layer_net,
)

Factory = Callable[..., nn.Module]


@dataclass(frozen=True)
class Role:
    name: str
    spec: type
    default: Factory
    probe: object
    check: Callable[[nn.Module, object], None]
    contract: str


ROLES: dict[str, Role] = {
    role.name: role
    for role in [
        Role(
            name="two-layer",
            spec=TwoLayerSpec,
            default=two_layer_net,
            probe=TwoLayerSpec(in_dim=3, width=8, out_dim=2, activation="tanh", antisymmetric=True),
            check=check_two_layer,
            contract=(
                "factory(spec: TwoLayerSpec, generator) -> nn.Module; forward (n, in_dim) -> "
                "(n, out_dim); neuron_input_weights() -> (width, in_dim + 1) with the bias last; "
                "neuron_output_weights() -> (width, out_dim); antisymmetric=True gives f = 0 "
                "at init; bias=False has no biases (a zero bias column)"
            ),
        ),
        Role(
            name="transformer",
            spec=TransformerSpec,
            default=transformer,
            probe=TransformerSpec(vocab=7, max_len=4, n_layers=2, d_model=8, n_heads=2, d_ff=16,
                                  norm="pre", causal=True),
            check=check_transformer,
            contract=(
                "factory(spec: TransformerSpec, generator) -> nn.Module; forward (batch, seq) "
                "token ids -> (batch, seq, vocab) logits; attention_maps() -> per layer "
                "(batch, heads, seq, seq) weights of the last forward, rows summing to 1, none "
                "ahead when causal; features() -> (batch, seq, d_model) pre-logit features of "
                "the last forward; optional last_logits(tokens) -> (batch, vocab), equal to "
                "forward(tokens)[:, -1], used to train on last-position answers faster; optional "
                "attention_weights() -> per layer {'query', 'key', 'value', 'output': parameter "
                "or (parameter, columns)}, each a (d_model, d_model) block: where W_Q, W_K, W_V, "
                "W_O live (the orthogonal-noise claim attaches to them); optional "
                "token_embeddings() -> (vocab, d_model), the input embedding of each token"
            ),
        ),
        Role(
            name="embedding-mlp",
            spec=EmbeddingMLPSpec,
            default=embedding_mlp,
            probe=EmbeddingMLPSpec(vocab=7, n_tokens=2, width=8),
            check=check_embedding_mlp,
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
            check=check_diagonal_linear,
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
            check=check_matrix_factorisation,
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
            check=check_dropout_two_layer,
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
            check=check_cnn,
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
            check=check_image_prior,
            contract=(
                "factory(spec: ImagePriorSpec, generator) -> nn.Module; forward() with no input "
                "-> (height, width) field in [-1, 1] from trainable weights"
            ),
        ),
        Role(
            name="linear",
            spec=LinearSpec,
            default=linear,
            probe=LinearSpec(dim=4, init_std=1.0),
            check=check_linear,
            contract=(
                "factory(spec: LinearSpec, generator) -> nn.Module; forward (n, dim) -> (n,), "
                "equal to x @ weights(); weights() -> (dim,) the linear predictor, no bias"
            ),
        ),
        Role(
            name="deep-linear",
            spec=DeepLinearSpec,
            default=deep_linear,
            probe=DeepLinearSpec(in_dim=3, out_dim=2, width=4, depth=3, init_std=0.5),
            check=check_deep_linear,
            contract=(
                "factory(spec: DeepLinearSpec, generator) -> nn.Module; a network linear in its "
                "input, of depth >= 2; forward (n, in_dim) -> (n, out_dim), equal to x @ "
                "end_to_end().T; end_to_end() -> (out_dim, in_dim) the product matrix"
            ),
        ),
        Role(
            name="mlp",
            spec=MLPSpec,
            default=mlp,
            probe=MLPSpec(in_dim=3, out_dim=2, width=8, depth=2),
            check=check_mlp,
            contract=(
                "factory(spec: MLPSpec, generator) -> nn.Module; forward (n, in_dim) -> (n, "
                "out_dim) logits; features() -> (n, width) the last hidden layer of the last "
                "forward (what the readout reads)"
            ),
        ),
        Role(
            name="dropout-mlp",
            spec=MLPSpec,
            default=dropout_mlp,
            probe=MLPSpec(in_dim=3, out_dim=2, width=8, depth=2, activation="tanh"),
            check=check_dropout_mlp,
            contract=(
                "the mlp contract, and forward(x, mask) with mask (depth, n, width) multiplying "
                "each hidden layer's units: masks of ones give forward(x); masks of zeros give "
                "an output that does not depend on x"
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
