"""Time-series anomaly-state detection streams built from classification data (Zhou, Zhang, Leng,
Wang, Xu 2024, and the authors' data code, Johnzhx/TSASD, "Data Generation/Generate by UCR
Classification Dataset/StreamDataGenerater.py"): one class is the standard, three series of other
classes are the anomalies; training and test series are laid end to end into one stream with a
label per time point.

Facts read off the authors' code: UCR datasets with at most 5 classes, train and test files
pooled, values as the archive ships them (no further normalisation); k-means with shape-based
distance (SBD) and k = number of classes (k-means++-style farthest-point start, arithmetic-mean
centroids, 10 restarts, the one with the least sum of squared SBD kept, the 5% of series farthest
from their centroid dropped from every cluster); the standard set is the chosen class's members
in the cluster that holds most of that class; the anomalies are the series of other classes
ranked 1-3, 4-6, 7-9 or 10-12 by mean SBD to the standard set, farthest first; a share 0.0 or
0.5 of the standard set (drawn at random) is the training part, at the head of the stream; the
rest of the standard set and the 3 anomalies, shuffled, follow; 5 repeats per setting.

The UCR datasets come from aeon, which ships them: nothing is downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.extras import require

# aeon's bundled univariate UCR classification datasets with at most 5 classes (the paper's filter).
UCR_LOADERS = {"GunPoint": "load_gunpoint", "ArrowHead": "load_arrow_head",
               "ItalyPowerDemand": "load_italy_power_demand"}
LEVELS = ("ranks 1-3", "ranks 4-6", "ranks 7-9", "ranks 10-12")  # by mean SBD, farthest first
ANOMALIES_PER_STREAM = 3


@dataclass(frozen=True)
class AnomalyStateTask:
    """One stream: `values` (n_points,), `labels` per time point (1 = inside an anomaly); the
    first `train_points` points are the training standard series (none when share is 0.0)."""

    dataset: str
    normal_class: int
    level: int
    share: float
    series_length: int
    train_points: int
    values: np.ndarray
    labels: np.ndarray


def ucr_dataset(name: str, rng: np.random.Generator,
                max_series: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(series (n, length), classes 0..k-1) of a bundled UCR dataset, train and test splits
    pooled as the authors do, values as shipped (the archive's series are z-normalised already);
    a random subset of `max_series` when given."""
    if name not in UCR_LOADERS:
        raise ValueError(f"unknown UCR dataset {name!r}; bundled: {', '.join(UCR_LOADERS)}")
    datasets = require("aeon.datasets", "timeseries")
    x, y = getattr(datasets, UCR_LOADERS[name])()
    x = np.asarray(x, dtype=np.float64)[:, 0, :]
    classes = np.unique(np.asarray(y), return_inverse=True)[1]
    if max_series is not None and len(x) > max_series:
        keep = np.sort(rng.choice(len(x), max_series, replace=False))
        x, classes = x[keep], classes[keep]
    return x, classes


def shape_based_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """SBD(a_i, b_j) = 1 - max_shift NCC(a_i, b_j), shape (len(a), len(b)) (Paparrizos & Gravano
    2015): the distance of k-Shape, invariant to shifts of one series against the other. It is
    symmetric, so the loop runs over the shorter of the two sets."""
    if len(a) > len(b):
        return shape_based_distances(b, a).T
    length = a.shape[1]
    size = 1 << (2 * length - 2).bit_length()
    fa, fb = np.fft.rfft(a, size), np.fft.rfft(b, size)
    norms_b = np.linalg.norm(b, axis=1)
    rows = []
    for spectrum, norm in zip(fa, np.linalg.norm(a, axis=1), strict=True):
        correlation = np.fft.irfft(fb * np.conj(spectrum), size).max(axis=1)
        rows.append(1 - correlation / (norm * norms_b))
    return np.array(rows)


def farthest_point_start(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k starting centroids: one series at random, then each next the series farthest (in SBD)
    from the centroids chosen so far (the authors' deterministic k-means++ variant)."""
    chosen = [int(rng.integers(len(x)))]
    nearest = shape_based_distances(x, x[chosen]).min(axis=1)
    for _ in range(1, k):
        chosen.append(int(nearest.argmax()))
        nearest = np.minimum(nearest, shape_based_distances(x, x[chosen[-1:]])[:, 0])
    return x[chosen].copy()


def sbd_kmeans_once(x: np.ndarray, k: int, rng: np.random.Generator,
                    max_steps: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """(cluster per series, its SBD to its centroid): assignment by SBD, centroids the arithmetic
    means of their members (an emptied cluster keeps its centroid), until nothing moves."""
    centroids = farthest_point_start(x, k, rng)
    for _ in range(max_steps + 1):
        distances = shape_based_distances(x, centroids)
        assigned = distances.argmin(axis=1)
        updated = np.array([x[assigned == c].mean(axis=0) if (assigned == c).any()
                            else centroids[c] for c in range(k)])
        if np.allclose(updated, centroids, rtol=0.0, atol=1e-10):
            break
        centroids = updated
    distances = shape_based_distances(x, centroids)
    assigned = distances.argmin(axis=1)
    return assigned, distances[np.arange(len(x)), assigned]


def sbd_kmeans(x: np.ndarray, k: int, rng: np.random.Generator, restarts: int = 10,
               dropped_share: float = 0.05) -> np.ndarray:
    """Cluster per series (-1: dropped as one of the farthest from its centroid): the restart with
    the least sum of squared SBD to the centroids, then the int(share * n) + 1 series farthest
    from their centroid dropped, as in the authors' clustering."""
    best, best_cost = None, np.inf
    for _ in range(restarts):
        assigned, distance = sbd_kmeans_once(x, k, rng)
        cost = float((distance ** 2).sum())
        if cost < best_cost:
            best, best_cost = (assigned, distance), cost
    assigned, distance = best
    clusters = assigned.copy()
    clusters[np.argsort(distance, kind="stable")[-int(dropped_share * len(x)) - 1:]] = -1
    return clusters


def standard_set(x: np.ndarray, classes: np.ndarray, clusters: np.ndarray,
                 normal_class: int) -> np.ndarray:
    """The normal class's members in the cluster holding most of them (dropped series excluded)."""
    members = (classes == normal_class) & (clusters >= 0)
    dominant = np.bincount(clusters[members], minlength=clusters.max() + 1).argmax()
    return x[members & (clusters == dominant)]


def anomalies_farthest_first(others: np.ndarray, standard: np.ndarray) -> np.ndarray:
    """Series of the other classes ordered by mean SBD to the standard set, farthest first."""
    mean_distance = shape_based_distances(others, standard).mean(axis=1)
    return others[np.argsort(-mean_distance, kind="stable")]


def anomaly_stream(standard: np.ndarray, anomalies: np.ndarray, share: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(values, labels per point, training points): int(share * n) standard series drawn at
    random first, then the other standard series and the anomalies in random order."""
    order = rng.permutation(len(standard))
    n_train = int(len(standard) * share)
    test = np.concatenate([standard[order[n_train:]], anomalies])
    is_anomaly = np.r_[np.zeros(len(test) - len(anomalies)), np.ones(len(anomalies))]
    shuffled = rng.permutation(len(test))
    series = np.concatenate([standard[order[:n_train]], test[shuffled]])
    labels = np.r_[np.zeros(n_train), is_anomaly[shuffled]]
    length = standard.shape[1]
    return series.ravel(), np.repeat(labels, length).astype(np.int8), n_train * length


def anomaly_state_tasks(name: str, x: np.ndarray, classes: np.ndarray, rng: np.random.Generator,
                        shares: tuple[float, ...] = (0.0, 0.5),
                        levels: tuple[int, ...] = (0, 1, 2, 3),
                        ranked: bool = True) -> list[AnomalyStateTask]:
    """The authors' streams for every normal class, anomaly level (index into LEVELS) and training
    share; one clustering per call (the authors recluster for every stream: a repeat here is a
    seed). The streams of one class and level share their 3 anomalies; `ranked=False` draws
    them at random from the other classes instead of by SBD rank (levels then carry no distance)."""
    k = int(classes.max()) + 1
    clusters = sbd_kmeans(x, k, rng)
    tasks = []
    for c in range(k):
        standard, others = standard_set(x, classes, clusters, c), x[classes != c]
        ordered = anomalies_farthest_first(others, standard)
        for level in levels:
            if ranked:
                first = ANOMALIES_PER_STREAM * level
                anomalies = ordered[first:first + ANOMALIES_PER_STREAM]
            else:
                anomalies = others[rng.choice(len(others), ANOMALIES_PER_STREAM, replace=False)]
            for share in shares:
                values, labels, train_points = anomaly_stream(standard, anomalies, share, rng)
                tasks.append(AnomalyStateTask(name, c, level, share, x.shape[1], train_points,
                                              values, labels))
    return tasks
