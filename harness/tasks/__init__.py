"""Data for claims: generated from the claim's seed, or loaded from a package that ships it."""

from harness.tasks.anchor import (
    anchor_pairs,
    composition_sequences,
    identity_sequences,
)
from harness.tasks.anomaly_state import (
    AnomalyStateTask,
    anomaly_state_tasks,
    shape_based_distances,
    ucr_dataset,
)
from harness.tasks.digits import digit_images, digits_one_hot
from harness.tasks.double_descent import linear_plus_interaction
from harness.tasks.features import random_fourier_features
from harness.tasks.matrix_completion import entries, rank_one_target, symmetric_mask
from harness.tasks.mixture import gaussian_mixture
from harness.tasks.modular import modular_addition, train_test_split, with_equals_token
from harness.tasks.parity import hypercube_points, sparse_parity
from harness.tasks.poisson_1d import Poisson1D, data_loss, residual_loss, second_derivative
from harness.tasks.reasoning_chains import reasoning_chains
from harness.tasks.regression_1d import (
    periodic_grid,
    phase_diagram_points,
    relu_teacher,
    sum_of_sines,
)
from harness.tasks.separable import planted_max_margin
from harness.tasks.slabs import linear_and_slabs
from harness.tasks.sparse_linear import large_margin_dense, random_unit_vector, sparse_majority
from harness.tasks.teacher import tanh_teacher

__all__ = [
    "anchor_pairs",
    "composition_sequences",
    "identity_sequences",
    "reasoning_chains",
    "Poisson1D",
    "data_loss",
    "digits_one_hot",
    "hypercube_points",
    "residual_loss",
    "second_derivative",
    "sparse_parity",
    "AnomalyStateTask",
    "anomaly_state_tasks",
    "digit_images",
    "relu_teacher",
    "entries",
    "gaussian_mixture",
    "large_margin_dense",
    "linear_and_slabs",
    "linear_plus_interaction",
    "modular_addition",
    "periodic_grid",
    "phase_diagram_points",
    "planted_max_margin",
    "random_fourier_features",
    "random_unit_vector",
    "rank_one_target",
    "sparse_majority",
    "shape_based_distances",
    "sum_of_sines",
    "tanh_teacher",
    "symmetric_mask",
    "train_test_split",
    "ucr_dataset",
    "with_equals_token",
]
