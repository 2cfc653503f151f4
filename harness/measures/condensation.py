"""Condensation measures: how concentrated hidden neurons' input-weight orientations are."""

from __future__ import annotations

import numpy as np


def neuron_amplitudes(input_weights: np.ndarray, output_weights: np.ndarray) -> np.ndarray:
    """|a_k| ||w_k||: how much neuron k carries of the output (ReLU is 1-homogeneous)."""
    out = np.asarray(output_weights).reshape(len(input_weights), -1)
    return np.linalg.norm(out, axis=1) * np.linalg.norm(input_weights, axis=1)


def orientation_load(input_weights: np.ndarray, amplitudes: np.ndarray,
                     bin_width: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """(bin centres, share of the total amplitude per bin) of the orientations of 2-D input
    weights (w_k, b_k) over [-pi, pi): the picture `orientation_share` summarises."""
    angles = np.arctan2(input_weights[:, 1], input_weights[:, 0])
    n_bins = int(np.ceil(2 * np.pi / bin_width))
    load, edges = np.histogram(angles, bins=n_bins, range=(-np.pi, -np.pi + n_bins * bin_width),
                               weights=np.asarray(amplitudes, dtype=np.float64))
    return (edges[:-1] + edges[1:]) / 2, load / max(load.sum(), np.finfo(float).tiny)


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


def direction_clusters(vectors: np.ndarray, weights: np.ndarray, *, min_cos: float = 0.95,
                       lines: bool = False) -> list[np.ndarray]:
    """Greedy clusters of directions: the heaviest unassigned vector takes every unassigned
    vector whose cosine with it exceeds `min_cos`, until none is left. Returns index arrays,
    heaviest leader first.

    With lines=True a direction and its opposite are one cluster (|cos| is compared), so a
    cluster is a line through the origin. Zero vectors have no direction and are refused.
    """
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=1)
    if v.ndim != 2 or np.any(norms == 0):
        raise ValueError("direction_clusters needs (n, d) vectors, none of them zero")
    unit = v / norms[:, None]
    left = np.argsort(-np.asarray(weights, dtype=np.float64), kind="stable")
    clusters = []
    while left.size:
        cos = unit[left] @ unit[left[0]]
        joined = (np.abs(cos) if lines else cos) > min_cos
        joined[0] = True  # the leader, whatever rounding does to its cosine with itself
        clusters.append(left[joined])
        left = left[~joined]
    return clusters


def heaviest(amplitudes: np.ndarray, fraction: float) -> np.ndarray:
    """Indices of the `fraction` of neurons with the largest amplitude (at least one)."""
    amplitudes = np.asarray(amplitudes)
    count = max(1, int(round(fraction * len(amplitudes))))
    return np.argsort(-amplitudes, kind="stable")[:count]


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """(n, n) cosine similarities between the rows of `vectors` (none of them zero)."""
    v = np.asarray(vectors, dtype=np.float64)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    return unit @ unit.T


def mean_abs_cosine(vectors: np.ndarray) -> float:
    """Mean |cos| over distinct pairs of rows: 1 when all lie on one line, about
    sqrt(2 / (pi d)) for random directions in d dimensions."""
    v = np.asarray(vectors, dtype=np.float64)
    if len(v) < 2:
        raise ValueError("mean_abs_cosine needs at least two vectors")
    cos = np.abs(cosine_matrix(v))
    n = len(v)
    return float((cos.sum() - np.trace(cos)) / (n * (n - 1)))


def log_log_slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of log y against log x: the exponent of a power law y ~ x^s."""
    return float(np.polyfit(np.log(np.asarray(x, dtype=np.float64)),
                            np.log(np.asarray(y, dtype=np.float64)), 1)[0])
