"""Measures read off a trained model or a training run."""

from harness.measures.attention import at_positions, attention_onto, shift_then_broadcast
from harness.measures.condensation import (
    cosine_matrix,
    direction_clusters,
    heaviest,
    log_log_slope,
    mean_abs_cosine,
    neuron_amplitudes,
    orientation_load,
    orientation_share,
    relative_distance,
)
from harness.measures.detection import paired_lower_bound, roc_auc
from harness.measures.grokking import (
    FirstCrossings,
    accuracy,
    attention_entropy,
    effective_rank,
    fall_while_memorised,
    grokking_delay,
    stable_rank,
)
from harness.measures.implicit_bias import angle, hard_margin_direction
from harness.measures.neural_collapse import within_class_variability
from harness.measures.noise_geometry import (
    exact_hessian,
    flat_loss,
    flatness_along,
    frobenius_alignment,
    gradient_noise_covariance,
    trajectory_pca,
    with_random_eigenvectors,
)
from harness.measures.random_features import (
    label_noise_amplification,
    readout_features,
    readout_map,
    readout_test_error,
)
from harness.measures.sharpness import hessian_top_eigenvalue, ntk_top_eigenvalue
from harness.measures.spectrum import (
    first_step_below,
    gaussian_smoother,
    low_frequency_share,
    low_high_errors,
    relative_spectral_error,
    walsh_share,
)

__all__ = [
    "gaussian_smoother",
    "low_frequency_share",
    "low_high_errors",
    "walsh_share",
    "FirstCrossings",
    "accuracy",
    "angle",
    "at_positions",
    "attention_onto",
    "shift_then_broadcast",
    "attention_entropy",
    "cosine_matrix",
    "direction_clusters",
    "effective_rank",
    "fall_while_memorised",
    "grokking_delay",
    "exact_hessian",
    "first_step_below",
    "flat_loss",
    "flatness_along",
    "frobenius_alignment",
    "gradient_noise_covariance",
    "hard_margin_direction",
    "heaviest",
    "hessian_top_eigenvalue",
    "label_noise_amplification",
    "log_log_slope",
    "mean_abs_cosine",
    "neuron_amplitudes",
    "ntk_top_eigenvalue",
    "orientation_load",
    "orientation_share",
    "paired_lower_bound",
    "readout_features",
    "readout_map",
    "readout_test_error",
    "relative_distance",
    "relative_spectral_error",
    "roc_auc",
    "stable_rank",
    "trajectory_pca",
    "with_random_eigenvectors",
    "within_class_variability",
]
