"""Default factories of the roles claims train."""

from harness.models.cnn import TwoLayerCNN, two_layer_cnn
from harness.models.deep_linear import DeepLinear, deep_linear
from harness.models.diagonal_linear import DiagonalLinear, diagonal_linear
from harness.models.dropout_mlp import DropoutMLP, dropout_mlp
from harness.models.dropout_two_layer import (
    DropoutTwoLayerNet,
    dropout_masks,
    dropout_two_layer_net,
)
from harness.models.embedding_mlp import EmbeddingMLP, embedding_mlp
from harness.models.image_prior import ImagePrior, image_prior
from harness.models.linear import Linear, linear
from harness.models.matrix_factorisation import MatrixFactorisation, matrix_factorisation
from harness.models.mlp import MLP, mlp
from harness.models.specs import (
    DEEP_LINEAR_INITS,
    NORM_PLACEMENTS,
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
from harness.models.transformer import Transformer, transformer
from harness.models.two_layer import TwoLayerNet, two_layer_net

__all__ = [
    "CNNSpec",
    "DEEP_LINEAR_INITS",
    "DeepLinear",
    "DeepLinearSpec",
    "Linear",
    "LinearSpec",
    "MLP",
    "MLPSpec",
    "TwoLayerCNN",
    "two_layer_cnn",
    "DiagonalLinear",
    "DiagonalLinearSpec",
    "DropoutTwoLayerNet",
    "EmbeddingMLP",
    "EmbeddingMLPSpec",
    "ImagePrior",
    "ImagePriorSpec",
    "MatrixFactorisation",
    "MatrixFactorisationSpec",
    "NORM_PLACEMENTS",
    "Transformer",
    "TransformerSpec",
    "TwoLayerNet",
    "TwoLayerSpec",
    "deep_linear",
    "diagonal_linear",
    "dropout_masks",
    "dropout_two_layer_net",
    "DropoutMLP",
    "dropout_mlp",
    "embedding_mlp",
    "image_prior",
    "linear",
    "matrix_factorisation",
    "mlp",
    "transformer",
    "two_layer_net",
]
