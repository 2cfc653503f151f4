"""Constructor arguments of each role: plain data that a user's factory receives."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class TwoLayerSpec:
    """A two-layer fully connected network f(x) = (1/alpha) sum_k a_k sigma(w_k . x + b_k).

    w_std is the standard deviation of the input weights and biases, a_std that of the output
    weights. With antisymmetric=True the neurons come in pairs (w, a), (w, -a): f = 0 at init.
    bias=False drops the biases (b_k = 0, not trained): with relu, f is then positively
    homogeneous, of degree 2 in its parameters.
    """

    in_dim: int
    width: int
    out_dim: int = 1
    activation: str = "relu"
    w_std: float = 1.0
    a_std: float = 1.0
    alpha: float = 1.0
    antisymmetric: bool = False
    bias: bool = True
    dtype: torch.dtype = torch.float32


NORM_PLACEMENTS = ("none", "pre", "post", "mlp-only", "attn-only")


@dataclass(frozen=True)
class TransformerSpec:
    """A decoder-style transformer on token ids: (batch, seq) -> (batch, seq, vocab) logits.

    norm places LayerNorm: "none"; "pre" (before attention and before the MLP, inside each
    residual branch); "post" (after each residual addition); "mlp-only" / "attn-only" (pre-norm
    before that sublayer only). final_norm adds one LayerNorm before the unembedding.
    init_std=None is the per-kind rule of Singh et al. 2026: positions N(0, 0.02^2), embedding and
    unembedding N(0, 1/d_model), every other linear layer LeCun normal N(0, 1/fan_in); a number
    draws every weight matrix (embedding, positions and unembedding included) from N(0, init_std^2).
    Biases and LayerNorm parameters start at 0 and 1. learned_positions=False uses no positions.
    The stripped models of mechanism studies turn parts off: mlp=False drops the MLP sublayers,
    residual=False the residual connections (each sublayer's output replaces its input),
    attention_output=False the attention's output projection W_O, and unembedding=False the
    unembedding (the final residual stream is the logits, so d_model must equal vocab).
    """

    vocab: int
    max_len: int
    n_layers: int = 1
    d_model: int = 64
    n_heads: int = 4
    d_ff: int = 256
    norm: str = "pre"
    final_norm: bool = False
    causal: bool = True
    init_std: float | None = None
    learned_positions: bool = True
    bias: bool = False
    norm_eps: float = 1e-5
    activation: str = "relu"
    mlp: bool = True
    residual: bool = True
    attention_output: bool = True
    unembedding: bool = True
    dtype: torch.dtype = torch.float32

    def __post_init__(self) -> None:
        for name in ("vocab", "max_len", "n_layers", "d_model", "n_heads", "d_ff"):
            if getattr(self, name) < 1:
                raise ValueError(f"TransformerSpec.{name} must be >= 1, got {getattr(self, name)}")
        if self.d_model % self.n_heads:
            raise ValueError(f"TransformerSpec: d_model {self.d_model} is not divisible by "
                             f"n_heads {self.n_heads}")
        if self.norm not in NORM_PLACEMENTS:
            raise ValueError(f"TransformerSpec.norm {self.norm!r} not in "
                             f"{', '.join(NORM_PLACEMENTS)}")
        if self.init_std is not None and self.init_std < 0:
            raise ValueError(f"TransformerSpec.init_std must be >= 0, got {self.init_std}")
        if not self.unembedding and self.d_model != self.vocab:
            raise ValueError(f"TransformerSpec: without an unembedding the residual stream is "
                             f"the logits, so d_model ({self.d_model}) must equal vocab "
                             f"({self.vocab})")


@dataclass(frozen=True)
class EmbeddingMLPSpec:
    """f(t_1..t_k) = W sigma(E_1[t_1] + ... + E_k[t_k] + b): one embedding table of `width` per
    input position, summed into one hidden layer (the modular-arithmetic MLP of the grokking
    literature). Embeddings ~ N(0, embed_std^2), readout ~ N(0, out_std^2 / width), b = 0."""

    vocab: int
    n_tokens: int = 2
    width: int = 128
    out_dim: int | None = None  # None: vocab
    activation: str = "relu"
    embed_std: float = 1.0
    out_std: float = 1.0
    dtype: torch.dtype = torch.float32

    def __post_init__(self) -> None:
        for name in ("vocab", "n_tokens", "width"):
            if getattr(self, name) < 1:
                raise ValueError(f"EmbeddingMLPSpec.{name} must be >= 1, got "
                                 f"{getattr(self, name)}")


@dataclass(frozen=True)
class DiagonalLinearSpec:
    """The diagonal linear network f(x) = <u*u - v*v, x> with u = v = alpha / sqrt(2 dim) at init,
    so ||(u, v)|| = alpha and f = 0 (Lyu et al. 2024, Sec. 3)."""

    dim: int
    alpha: float = 1.0
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        if self.dim < 1 or self.alpha <= 0:
            raise ValueError(f"DiagonalLinearSpec needs dim >= 1 and alpha > 0, got "
                             f"dim={self.dim}, alpha={self.alpha}")


@dataclass(frozen=True)
class MatrixFactorisationSpec:
    """A symmetric matrix W = U U^T - V V^T with U = V = alpha I at init, so W = 0 (Lyu et al.
    2024, Sec. 4.2, matrix completion); read entry-wise at (row, column) index pairs."""

    dim: int
    alpha: float = 1.0
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        if self.dim < 1 or self.alpha <= 0:
            raise ValueError(f"MatrixFactorisationSpec needs dim >= 1 and alpha > 0, got "
                             f"dim={self.dim}, alpha={self.alpha}")


@dataclass(frozen=True)
class CNNSpec:
    """A two-layer CNN f(x) = sum_c a_c sum_p sigma((k_c * x)_p + b_c): one convolution layer of
    `channels` kernels (valid padding, stride 1), sum-pooling over positions, a linear readout.
    Kernels and biases ~ N(0, w_std^2), readout ~ N(0, a_std^2). `image_size` is the side of the
    square images the model is probed with."""

    in_channels: int
    channels: int
    kernel_size: int = 3
    image_size: int = 8
    out_dim: int = 1
    activation: str = "tanh"
    w_std: float = 1.0
    a_std: float = 1.0
    dtype: torch.dtype = torch.float32

    def __post_init__(self) -> None:
        for name in ("in_channels", "channels", "kernel_size", "out_dim"):
            if getattr(self, name) < 1:
                raise ValueError(f"CNNSpec.{name} must be >= 1, got {getattr(self, name)}")
        if self.image_size < self.kernel_size:
            raise ValueError(f"CNNSpec: image_size {self.image_size} is smaller than "
                             f"kernel_size {self.kernel_size}")


@dataclass(frozen=True)
class ImagePriorSpec:
    """A deep-image-prior generator: a fixed random latent tensor (latent channels at a quarter of
    the resolution) decoded by conv-ReLU-upsample layers of `channels` into a (height, width)
    field in [-1, 1]; only the weights are trained (Ulyanov et al. 2018)."""

    height: int
    width: int
    channels: int = 16
    latent: int = 8
    dtype: torch.dtype = torch.float32

    def __post_init__(self) -> None:
        for name in ("height", "width", "channels", "latent"):
            if getattr(self, name) < 1:
                raise ValueError(f"ImagePriorSpec.{name} must be >= 1, got {getattr(self, name)}")


@dataclass(frozen=True)
class LinearSpec:
    """A bias-free linear model f(x) = <w, x> with w ~ N(0, init_std^2 I) at init (init_std = 0:
    w = 0), the model of the implicit-bias results for linear predictors (Soudry et al. 2018)."""

    dim: int
    init_std: float = 0.0
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        if self.dim < 1 or self.init_std < 0:
            raise ValueError(f"LinearSpec needs dim >= 1 and init_std >= 0, got dim={self.dim}, "
                             f"init_std={self.init_std}")


DEEP_LINEAR_INITS = ("gaussian", "lazy")


@dataclass(frozen=True)
class DeepLinearSpec:
    """A deep linear network f(x) = W_depth ... W_2 W_1 x, hidden layers of `width`, no biases.
    init "gaussian": every entry ~ N(0, init_std^2) (small init_std: the saddle-to-saddle regime);
    "lazy": every layer but the last init_std times a Haar-random (semi-)orthogonal matrix, the
    last layer 0 (the product starts at 0, the inner layers are fixed to first order: the network
    trains as a linear regression on whitened features)."""

    in_dim: int
    out_dim: int
    width: int
    depth: int = 2
    init_std: float = 1e-4
    init: str = "gaussian"
    dtype: torch.dtype = torch.float64

    def __post_init__(self) -> None:
        for name in ("in_dim", "out_dim", "width"):
            if getattr(self, name) < 1:
                raise ValueError(f"DeepLinearSpec.{name} must be >= 1, got {getattr(self, name)}")
        if self.depth < 2:
            raise ValueError(f"DeepLinearSpec.depth must be >= 2, got {self.depth}")
        if self.init not in DEEP_LINEAR_INITS:
            raise ValueError(f"DeepLinearSpec.init {self.init!r} not in "
                             f"{', '.join(DEEP_LINEAR_INITS)}")


@dataclass(frozen=True)
class MLPSpec:
    """A fully connected network of `depth` hidden layers of `width` units with biases, then a
    linear readout to out_dim. Weights ~ N(0, gain^2 / fan_in) (gain sqrt 2: He init for ReLU),
    biases 0."""

    in_dim: int
    out_dim: int
    width: int = 128
    depth: int = 2
    activation: str = "relu"
    gain: float = 2 ** 0.5
    dtype: torch.dtype = torch.float32

    def __post_init__(self) -> None:
        for name in ("in_dim", "out_dim", "width", "depth"):
            if getattr(self, name) < 1:
                raise ValueError(f"MLPSpec.{name} must be >= 1, got {getattr(self, name)}")
