"""Condensation measures: how concentrated hidden neurons' input-weight orientations are."""

from __future__ import annotations

import numpy as np


def neuron_amplitudes(input_weights: np.ndarray, output_weights: np.ndarray) -> np.ndarray:
    """|a_k| ||w_k||: how much neuron k carries of the output (ReLU is 1-homogeneous)."""
    out = np.asarray(output_weights).reshape(len(input_weights), -1)
    return np.linalg.norm(out, axis=1) * np.linalg.norm(input_weights, axis=1)


def orientation_share(input_weights: np.ndarray, amplitudes: np.ndarray, *, bins: int = 4,
                      bin_width: float = 0.05) -> float:
    """Share of the total amplitude in the `bins` most loaded orientation bins.

    For 2-D input weights (a 1-D input and a bias) the orientation is the angle of (w_k, b_k),
    histogrammed in bins of `bin_width` radians over [-pi, pi). Invariant to a common rescaling of
    the amplitudes and to permuting neurons. Near 1: condensed; near bins * bin_width / (2 pi): not.
    """
    weights = np.asarray(input_weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[1] != 2:
        raise ValueError(f"orientation_share needs (m, 2) input weights, got {weights.shape}")
    angles = np.arctan2(weights[:, 1], weights[:, 0])
    n_bins = int(np.ceil(2 * np.pi / bin_width))
    index = np.minimum(((angles + np.pi) / bin_width).astype(int), n_bins - 1)
    load = np.bincount(index, weights=np.asarray(amplitudes, dtype=np.float64), minlength=n_bins)
    total = load.sum()
    if total <= 0:
        return float("nan")
    return float(np.sort(load)[-bins:].sum() / total)


def relative_distance(after: np.ndarray, before: np.ndarray) -> float:
    """RD = ||theta(T) - theta(0)|| / ||theta(0)|| (Luo et al. 2021, Sec. 3)."""
    return float(np.linalg.norm(after - before) / np.linalg.norm(before))
