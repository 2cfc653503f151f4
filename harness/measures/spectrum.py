"""Spectral measures for the frequency principle."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from scipy.spatial.distance import cdist


def relative_spectral_error(output: np.ndarray, target: np.ndarray,
                            frequencies: Sequence[int]) -> np.ndarray:
    """Delta_F(k) = |h_hat(k) - f_hat(k)| / |f_hat(k)| at each frequency index k (Xu et al. 2019).

    Both signals are samples on one uniform periodic grid; k indexes the DFT bins (k cycles over
    the grid's period).
    """
    h_hat = np.fft.rfft(np.asarray(output, dtype=np.float64))
    f_hat = np.fft.rfft(np.asarray(target, dtype=np.float64))
    k = np.asarray(frequencies)
    return np.abs(h_hat[k] - f_hat[k]) / np.abs(f_hat[k])


def first_step_below(errors: np.ndarray, steps: np.ndarray, level: float) -> float:
    """The first recorded step where `errors` < level; inf if it never gets there."""
    below = np.flatnonzero(np.asarray(errors) < level)
    return float(steps[below[0]]) if below.size else float("inf")


def gaussian_smoother(points: np.ndarray, delta: float) -> np.ndarray:
    """The (n, n) row-normalised Gaussian filter over scattered points: row i holds
    exp(-|x_i - x_j|^2 / (2 delta)) / C_i, so `smoother @ y` is the low-frequency part of y
    (Xu et al. 2019's filtering method); delta is the filter's variance."""
    if delta <= 0:
        raise ValueError(f"gaussian_smoother needs delta > 0, got {delta}")
    sq = cdist(np.asarray(points, dtype=np.float64), np.asarray(points, dtype=np.float64),
               "sqeuclidean")
    weights = np.exp(-sq / (2 * delta))
    return weights / weights.sum(axis=1, keepdims=True)


def low_high_errors(output: torch.Tensor, target: torch.Tensor,
                    smoother: torch.Tensor) -> tuple[float, float]:
    """(e_low, e_high): the relative error of the low- and of the high-frequency part,
    e_low = ||S (h - y)|| / ||S y||, e_high = ||(I - S)(h - y)|| / ||(I - S) y||, with S the
    (n, n) Gaussian smoother and h, y the (n, ...) output and target (Xu et al. 2019). Tensors,
    so the filter runs where the model does."""
    residual = (output - target).reshape(len(target), -1)
    y = target.reshape(len(target), -1)
    low_residual, low_target = smoother @ residual, smoother @ y
    return (float(low_residual.norm() / low_target.norm()),
            float((residual - low_residual).norm() / (y - low_target).norm()))


def walsh_share(output: np.ndarray, points: np.ndarray,
                subsets: Sequence[Sequence[int]]) -> float:
    """Share of the centred output's variance on the Walsh characters chi_S(x) = prod_{i in S} x_i,
    S in `subsets`: sum_S <f - mean f, chi_S>^2 / ||f - mean f||^2 over the sample.

    `points` (n, dim) are drawn uniformly from {-1, +1}^dim, where distinct characters are
    orthonormal; each estimated coefficient carries sampling noise of order 1/n, so a share
    over s characters has a floor of about s / n.
    """
    f = np.asarray(output, dtype=np.float64).reshape(-1)
    x = np.asarray(points, dtype=np.float64)
    f = f - f.mean()
    variance = np.mean(f ** 2)
    if variance == 0:
        return float("nan")
    characters = np.stack([x[:, list(s)].prod(axis=1) for s in subsets], axis=1)
    coefficients = characters.T @ f / len(f)
    return float(np.sum(coefficients ** 2) / variance)


def low_frequency_share(signal: np.ndarray, below: int) -> float:
    """Share of a uniformly sampled signal's energy at the frequencies |k| < `below`, k counting
    cycles over the sampled window (DFT bins; Parseval, so it is a share of sum signal^2)."""
    values = np.asarray(signal, dtype=np.float64).reshape(-1)
    power = np.abs(np.fft.fft(values)) ** 2
    cycles = np.abs(np.fft.fftfreq(len(values), d=1.0 / len(values)))
    total = power.sum()
    return float(power[cycles < below].sum() / total) if total > 0 else float("nan")
