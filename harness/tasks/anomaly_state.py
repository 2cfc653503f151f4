"""Time-series anomaly-state detection problems built from classification data (Zhou, Zhang, Leng,
Wang, Xu 2024, Sec. 4 and the authors' data code): one class is the standard, a few series of
other classes are the anomalies to tell apart from unseen standard series.

The UCR datasets come from aeon, which ships them: nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.extras import require

# aeon's bundled univariate UCR classification datasets with at most 5 classes (the paper's filter).
UCR_LOADERS = {"GunPoint": "load_gunpoint", "ArrowHead": "load_arrow_head",
               "ItalyPowerDemand": "load_italy_power_demand"}


@dataclass(frozen=True)
class AnomalyStateTask:
    """Fit a detector on `train` (standard series only); score `test`; `labels` 1 = anomaly."""

    dataset: str
    normal_class: int
    level: int
    train: np.ndarray
    test: np.ndarray
    labels: np.ndarray


def ucr_dataset(name: str, rng: np.random.Generator,
                max_series: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(series (n, length), classes 0..k-1) of a bundled UCR dataset, train and test splits
    together, each series z-normalised; a random subset of `max_series` when given."""
    if name not in UCR_LOADERS:
        raise ValueError(f"unknown UCR dataset {name!r}; bundled: {', '.join(UCR_LOADERS)}")
    datasets = require("aeon.datasets", "timeseries")
    x, y = getattr(datasets, UCR_LOADERS[name])()
    x = np.asarray(x, dtype=np.float64)[:, 0, :]
    classes = np.unique(np.asarray(y), return_inverse=True)[1]
    if max_series is not None and len(x) > max_series:
        keep = np.sort(rng.choice(len(x), max_series, replace=False))
        x, classes = x[keep], classes[keep]
    x = (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)
    return x, classes


def shape_based_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """SBD(a_i, b_j) = 1 - max_shift NCC(a_i, b_j), shape (len(a), len(b)) (Paparrizos & Gravano
    2015): the distance of k-Shape, invariant to shifts of one series against the other."""
    length = a.shape[1]
    size = 1 << (2 * length - 2).bit_length()
    fa, fb = np.fft.rfft(a, size), np.fft.rfft(b, size)
    rows = []
    for spectrum, norm in zip(fa, np.linalg.norm(a, axis=1), strict=True):
        correlation = np.fft.irfft(fb * np.conj(spectrum), size).max(axis=1)
        rows.append(1 - correlation / (norm * np.linalg.norm(b, axis=1)))
    return np.array(rows)


def sbd_kmedoids(distances: np.ndarray, k: int, rng: np.random.Generator,
                 iterations: int = 20) -> np.ndarray:
    """Cluster labels from k-medoids on a precomputed SBD matrix (a cheap stand-in for the
    authors' SBD k-means, used only to find each class's dominant shape cluster)."""
    medoids = rng.choice(len(distances), k, replace=False)
    for _ in range(iterations):
        labels = distances[:, medoids].argmin(axis=1)
        updated = np.array([
            np.flatnonzero(labels == c)[distances[np.ix_(labels == c, labels == c)].sum(0).argmin()]
            if (labels == c).any() else medoids[c] for c in range(k)])
        if np.array_equal(updated, medoids):
            break
        medoids = updated
    return distances[:, medoids].argmin(axis=1)


def anomaly_state_tasks(name: str, x: np.ndarray, classes: np.ndarray, rng: np.random.Generator,
                        levels: int = 4, n_anomalies: int = 3) -> list[AnomalyStateTask]:
    """The paper's construction, per normal class: the standard set is the class's members in its
    dominant SBD cluster (k = number of classes); the anomalies at level l are the series of other
    classes ranked 3l+1 .. 3l+3 by mean SBD to the standard set, farthest first (level 0 is the
    easiest); half the standard set, drawn at random, is the training set, the other half plus the
    anomalies the test set."""
    k = int(classes.max()) + 1
    clusters = sbd_kmedoids(shape_based_distances(x, x), k, rng)
    tasks = []
    for c in range(k):
        dominant = np.bincount(clusters[classes == c], minlength=k).argmax()
        standard, others = x[(classes == c) & (clusters == dominant)], x[classes != c]
        farthest_first = np.argsort(-shape_based_distances(others, standard).mean(axis=1),
                                    kind="stable")
        for level in range(levels):
            anomalies = others[farthest_first[n_anomalies * level:n_anomalies * (level + 1)]]
            order = rng.permutation(len(standard))
            half = len(standard) // 2
            test = np.concatenate([standard[order[half:]], anomalies])
            labels = np.r_[np.zeros(len(standard) - half), np.ones(len(anomalies))]
            tasks.append(AnomalyStateTask(name, c, level, standard[order[:half]], test, labels))
    return tasks
