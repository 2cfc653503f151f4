"""Implicit-bias measures for linear classifiers: the hard-margin SVM direction and angles."""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import minimize


def hard_margin_direction(x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """The unit direction of the bias-free hard-margin SVM, argmin ||w||^2 subject to y_i <w, x_i>
    >= 1 (SLSQP from the least-squares solution, scaled to be feasible); raises if the data are
    not linearly separable."""
    a = (y[:, None] * x).detach().cpu().numpy().astype(np.float64)
    start = np.linalg.lstsq(a, np.ones(len(a)), rcond=None)[0]
    if np.min(a @ start) <= 0:
        raise ValueError("hard_margin_direction: the least-squares start does not separate")
    start = start / np.min(a @ start)
    result = minimize(lambda w: w @ w, start, jac=lambda w: 2 * w, method="SLSQP",
                      constraints=[{"type": "ineq", "fun": lambda w: a @ w - 1,
                                    "jac": lambda w: a}],
                      options={"ftol": 1e-14, "maxiter": 1000})
    if not result.success or np.min(a @ result.x) < 1 - 1e-8:
        raise ValueError(f"hard_margin_direction: SLSQP failed ({result.message})")
    return result.x / np.linalg.norm(result.x)


def angle(u: np.ndarray, v: np.ndarray) -> float:
    """The angle between two vectors, in radians (accurate for small angles)."""
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return float(2 * np.arctan2(np.linalg.norm(u - v), np.linalg.norm(u + v)))
