"""Spectral measures for the frequency principle."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


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
