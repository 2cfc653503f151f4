"""Detection measures: how well scores rank anomalies above normal cases, and paired comparisons
of two detectors over many tasks."""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: P(score of an anomaly > score of a normal case), ties count 1/2
    (the Mann-Whitney statistic over n1 n0). `labels` are 1 for anomalies, 0 otherwise."""
    labels = np.asarray(labels).astype(bool)
    if labels.all() or not labels.any():
        raise ValueError("roc_auc needs both anomalies and normal cases")
    ranks = rankdata(scores)
    n1, n0 = labels.sum(), (~labels).sum()
    return float((ranks[labels].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def paired_lower_bound(differences: np.ndarray, rng: np.random.Generator, level: float = 0.95,
                       resamples: int = 2_000) -> float:
    """One-sided lower confidence bound, at `level`, on the mean of paired differences (one per
    task), from a percentile bootstrap over tasks: > 0 means the first method wins on average."""
    differences = np.asarray(differences, dtype=np.float64)
    draws = rng.integers(len(differences), size=(resamples, len(differences)))
    return float(np.quantile(differences[draws].mean(axis=1), 1 - level))
