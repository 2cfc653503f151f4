"""Role contracts: the checks an --arch factory's probe model must pass when it is loaded.

Each role has one check, `check_<role>(model, spec)`: it builds nothing, only calls the model's
forward and hooks on a small seeded input and compares shapes and the properties the role's
measures rely on. A violation raises ArchitectureError with one line saying what is wrong; a
missing hook raises MissingHook, so that only the claims reading it are skipped.
"""

from __future__ import annotations

import torch
from torch import nn

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
)
from harness.train import last_position_logits


class ArchitectureError(ValueError):
    """A factory given with --arch cannot be loaded or does not fit its role's contract."""


def check_two_layer(model: nn.Module, spec: TwoLayerSpec) -> None:
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        y = model(x)
    expect_shape(f"forward of a (5, {spec.in_dim}) batch", y, (5, spec.out_dim))
    if spec.antisymmetric and y.abs().max() > 1e-6:
        raise ArchitectureError("antisymmetric=True must give an output of exactly 0 at init")
    if not spec.bias and spec.activation == "relu":
        with torch.no_grad():
            doubled = model(2 * x)
        if not torch.allclose(doubled, 2 * y, rtol=1e-4, atol=1e-6):
            raise ArchitectureError("bias=False with relu must give f(2x) = 2 f(x) (no biases)")
    with torch.no_grad():
        hook(model, "neuron_input_weights", (spec.width, spec.in_dim + 1))
        hook(model, "neuron_output_weights", (spec.width, spec.out_dim))


def expect_shape(what: str, got: object, shape: tuple[int, ...]) -> None:
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != shape:
        found = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise ArchitectureError(f"{what} gave {found}, expected {shape}")


class MissingHook(ArchitectureError):
    """The model lacks a hook a measure reads: claims that read it are skipped, not the run."""

    def __init__(self, hook: str):
        super().__init__(f"the model has no method {hook}()")
        self.hook = hook


def hook(model: nn.Module, name: str, shape: tuple[int, ...]) -> torch.Tensor:
    if not callable(getattr(model, name, None)):
        raise MissingHook(name)
    value = getattr(model, name)()
    expect_shape(f"{name}()", value, shape)
    return value


def check_transformer(model: nn.Module, spec: TransformerSpec) -> None:
    batch, seq = 3, spec.max_len
    tokens = torch.randint(spec.vocab, (batch, seq), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expect_shape(f"forward of ({batch}, {seq}) token ids", model(tokens),
                      (batch, seq, spec.vocab))
    if not callable(getattr(model, "attention_maps", None)):
        raise MissingHook("attention_maps")
    maps = list(model.attention_maps())
    if len(maps) != spec.n_layers:
        raise ArchitectureError(f"attention_maps() gave {len(maps)} layers, expected "
                                f"{spec.n_layers}")
    for layer, weights in enumerate(maps):
        expect_shape(f"attention_maps()[{layer}]", weights, (batch, spec.n_heads, seq, seq))
        if not torch.allclose(weights.sum(-1), torch.ones((), dtype=weights.dtype), atol=1e-4):
            raise ArchitectureError(f"attention_maps()[{layer}] rows do not sum to 1")
        if spec.causal and weights.triu(1).abs().max() > 0:
            raise ArchitectureError(f"causal=True but attention_maps()[{layer}] looks ahead")
    hook(model, "features", (batch, seq, spec.d_model))
    _check_last_logits(model, tokens)
    _check_attention_weights(model, spec)
    if callable(getattr(model, "token_embeddings", None)):
        expect_shape("token_embeddings()", model.token_embeddings(), (spec.vocab, spec.d_model))


def _check_attention_weights(model: nn.Module, spec: TransformerSpec) -> None:
    """The optional hook that locates W_Q, W_K, W_V, W_O (for the orthogonal-noise claim; a
    spec without the attention's output projection has no W_O)."""
    hook = getattr(model, "attention_weights", None)
    if not callable(hook):
        return
    layers = list(hook())
    if len(layers) != spec.n_layers:
        raise ArchitectureError(f"attention_weights() gave {len(layers)} layers, expected "
                                f"{spec.n_layers}")
    parameters = {id(p) for p in model.parameters()}
    d = spec.d_model
    for layer, parts in enumerate(layers):
        for part in ("query", "key", "value", "output")[:4 if spec.attention_output else 3]:
            entry = parts.get(part) if isinstance(parts, dict) else None
            parameter, columns = entry if isinstance(entry, tuple) else (entry, slice(None))
            if not isinstance(parameter, nn.Parameter) or id(parameter) not in parameters:
                raise ArchitectureError(f"attention_weights()[{layer}][{part!r}] must be a "
                                        "parameter of the model, or (parameter, columns)")
            expect_shape(f"attention_weights()[{layer}][{part!r}]", parameter[:, columns],
                          (d, d))


def _check_last_logits(model: nn.Module, tokens: torch.Tensor) -> None:
    """The optional speed path, as training reaches it, must agree with the forward it stands
    in for."""
    with torch.no_grad():
        expected, got = model(tokens)[:, -1], last_position_logits(model, tokens)
    expect_shape("last_logits(tokens)", got, tuple(expected.shape))
    if not torch.allclose(got, expected, atol=1e-4, rtol=1e-4):
        raise ArchitectureError("last_logits(tokens) differs from forward(tokens)[:, -1] by "
                                f"{float((got - expected).abs().max()):.3g}")


def check_embedding_mlp(model: nn.Module, spec: EmbeddingMLPSpec) -> None:
    tokens = torch.randint(spec.vocab, (5, spec.n_tokens),
                           generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expect_shape(f"forward of (5, {spec.n_tokens}) token ids", model(tokens),
                      (5, spec.out_dim or spec.vocab))
    hook(model, "embeddings", (spec.n_tokens, spec.vocab, spec.width))
    hook(model, "features", (5, spec.width))


def check_diagonal_linear(model: nn.Module, spec: DiagonalLinearSpec) -> None:
    x = torch.randn(5, spec.dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        expect_shape(f"forward of a (5, {spec.dim}) batch", model(x), (5,))
        w = hook(model, "weights", (spec.dim,))
    if w.abs().max() > 1e-12:
        raise ArchitectureError("weights() must be 0 at init (u = v)")


def check_matrix_factorisation(model: nn.Module, spec: MatrixFactorisationSpec) -> None:
    index = torch.tensor([[0, 1], [1, 0], [2, 2]])
    with torch.no_grad():
        expect_shape("forward of (3, 2) index pairs", model(index), (3,))
        w = hook(model, "matrix", (spec.dim, spec.dim))
    if w.abs().max() > 1e-12:
        raise ArchitectureError("matrix() must be 0 at init (U = V)")


def check_dropout_two_layer(model: nn.Module, spec: TwoLayerSpec) -> None:
    check_two_layer(model, spec)
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(1), dtype=spec.dtype)
    ones = torch.ones(5, spec.width, dtype=spec.dtype)
    with torch.no_grad():
        if not torch.allclose(model(x, ones), model(x)):
            raise ArchitectureError("forward(x, mask of ones) must equal forward(x)")
        if model(x, torch.zeros_like(ones)).abs().max() > 1e-6:
            raise ArchitectureError("forward(x, mask of zeros) must be 0 (every unit dropped)")


def check_cnn(model: nn.Module, spec: CNNSpec) -> None:
    size = spec.image_size
    x = torch.randn(5, spec.in_channels, size, size, generator=torch.Generator().manual_seed(0),
                    dtype=spec.dtype)
    with torch.no_grad():
        expect_shape(f"forward of a (5, {spec.in_channels}, {size}, {size}) batch", model(x),
                      (5, spec.out_dim))
        hook(model, "kernels", (spec.channels, spec.in_channels * spec.kernel_size ** 2 + 1))
        hook(model, "kernel_output_weights", (spec.channels, spec.out_dim))


def check_image_prior(model: nn.Module, spec: ImagePriorSpec) -> None:
    field = model()
    expect_shape("forward()", field, (spec.height, spec.width))
    if field.abs().max() > 1:
        raise ArchitectureError("forward() must lie in [-1, 1]")
    if not any(p.requires_grad for p in model.parameters()):
        raise ArchitectureError("the model has no trainable parameters")


def check_linear(model: nn.Module, spec: LinearSpec) -> None:
    x = torch.randn(5, spec.dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        y = model(x)
        expect_shape(f"forward of a (5, {spec.dim}) batch", y, (5,))
        w = hook(model, "weights", (spec.dim,))
        if not torch.allclose(y, x @ w, atol=1e-6):
            raise ArchitectureError("forward(x) must equal x @ weights()")


def check_deep_linear(model: nn.Module, spec: DeepLinearSpec) -> None:
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        y = model(x)
        expect_shape(f"forward of a (5, {spec.in_dim}) batch", y, (5, spec.out_dim))
        product = hook(model, "end_to_end", (spec.out_dim, spec.in_dim))
        if not torch.allclose(y, x @ product.T, atol=1e-6):
            raise ArchitectureError("forward(x) must equal x @ end_to_end().T")


def check_mlp(model: nn.Module, spec: MLPSpec) -> None:
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(0), dtype=spec.dtype)
    with torch.no_grad():
        expect_shape(f"forward of a (5, {spec.in_dim}) batch", model(x), (5, spec.out_dim))
        hook(model, "features", (5, spec.width))


def check_dropout_mlp(model: nn.Module, spec: MLPSpec) -> None:
    check_mlp(model, spec)
    x = torch.randn(5, spec.in_dim, generator=torch.Generator().manual_seed(1), dtype=spec.dtype)
    ones = torch.ones(spec.depth, 5, spec.width, dtype=spec.dtype)
    with torch.no_grad():
        if not torch.allclose(model(x, ones), model(x)):
            raise ArchitectureError("forward(x, masks of ones) must equal forward(x)")
        dropped = model(x, torch.zeros_like(ones))
        if (dropped - dropped[:1]).abs().max() > 1e-6:
            raise ArchitectureError("forward(x, masks of zeros) must not depend on x (every "
                                    "hidden unit dropped)")
