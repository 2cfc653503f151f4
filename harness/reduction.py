"""Condensation reduction (Chen & Xu 2024): hidden neurons whose input weights point the same way
compute the same feature up to scale, so a condensed layer can be replaced by one neuron per
direction. Works on any two-layer ReLU model through its role hooks (`neuron_input_weights()`,
`neuron_output_weights()`), so a user can reduce their own trained model.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from harness.measures.condensation import direction_clusters, neuron_amplitudes


def merge_condensed_neurons(input_weights: np.ndarray, output_weights: np.ndarray, *,
                            min_cos: float = 0.999) -> tuple[np.ndarray, np.ndarray]:
    """Merge the neurons of each direction cluster (cosine of (w_k, b_k) above `min_cos`).

    For a positively 1-homogeneous activation (ReLU), a_k relu(v_k . x) = a_k ||v_k|| relu(u . x)
    when v_k points along u, so a cluster becomes one neuron with input weights u (the
    amplitude-weighted mean direction, unit length) and output weights sum_k a_k ||v_k||; the merge
    is exact when the directions coincide. Neurons with zero input weights carry nothing and are
    dropped. Returns (input_weights, output_weights) of the reduced layer, one row per cluster.
    """
    w = np.asarray(input_weights, dtype=np.float64)
    a = np.asarray(output_weights, dtype=np.float64).reshape(len(w), -1)
    norms = np.linalg.norm(w, axis=1)
    alive = norms > 0
    w, a, norms = w[alive], a[alive], norms[alive]
    unit = w / norms[:, None]
    merged_w, merged_a = [], []
    for members in direction_clusters(w, neuron_amplitudes(w, a), min_cos=min_cos):
        mean = (neuron_amplitudes(w[members], a[members])[:, None] * unit[members]).sum(axis=0)
        merged_w.append(mean / np.linalg.norm(mean))
        merged_a.append((norms[members, None] * a[members]).sum(axis=0))
    return np.array(merged_w).reshape(-1, w.shape[1]), np.array(merged_a).reshape(-1, a.shape[1])


def relu_layer_output(input_weights: np.ndarray, output_weights: np.ndarray,
                      x: np.ndarray) -> np.ndarray:
    """sum_k a_k relu(w_k . x + b_k), shape (n, out_dim): the function a layer's hooks describe
    (input weights with the bias last). For a convolution layer with a sum-pooled readout, x is
    (n, positions, d) (`image_patches`) and the activations are summed over the positions first;
    the merge stays exact there, since every position sees the same kernel."""
    w = np.asarray(input_weights, dtype=np.float64)
    a = np.asarray(output_weights, dtype=np.float64).reshape(len(w), -1)
    hidden = np.maximum(np.asarray(x, dtype=np.float64) @ w[:, :-1].T + w[:, -1], 0.0)
    return hidden.reshape(len(hidden), -1, len(w)).sum(axis=1) @ a


def image_patches(images: torch.Tensor, kernel_size: int) -> np.ndarray:
    """(n, positions, in_channels * k * k): every k x k patch of every image (stride 1, no
    padding), flattened in the order of a flattened (in_channels, k, k) kernel, so a CNN's
    `kernels()` (bias last) act on it as `relu_layer_output`'s input weights."""
    return F.unfold(images.detach().cpu(), kernel_size).transpose(1, 2).numpy()


MERGE_LEVELS = (0.9999, 0.999, 0.99, 0.9)  # cosine thresholds tried, strictest first


def reduce_keeping_error(input_weights: np.ndarray, output_weights: np.ndarray, x: np.ndarray,
                         y: np.ndarray, *, tolerance: float = 0.1,
                         min_cos: tuple[float, ...] = MERGE_LEVELS,
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The narrowest merge of `merge_condensed_neurons` over the `min_cos` levels whose mean
    squared error on (x, y) is at most (1 + tolerance) times the unmerged layer's; the unmerged
    layer when no level keeps the error."""
    def error(w: np.ndarray, a: np.ndarray) -> float:
        return float(np.mean((relu_layer_output(w, a, x) - np.asarray(y)) ** 2))

    best = input_weights, output_weights
    budget = (1 + tolerance) * error(*best)
    for level in sorted(min_cos, reverse=True):
        merged = merge_condensed_neurons(input_weights, output_weights, min_cos=level)
        if len(merged[0]) < len(best[0]) and error(*merged) <= budget:
            best = merged
    return best
