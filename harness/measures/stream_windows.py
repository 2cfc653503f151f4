"""Window scoring over a stream: cut it into sliding windows, score each window with a detector,
and give every time point the mean score of the windows that cover it, so that a detector made
for vectors yields one score per time point (the usual way time-series anomaly benchmarks run
point detectors)."""

from __future__ import annotations

import numpy as np


def window_starts(n_points: int, length: int, stride: int) -> np.ndarray:
    """Starts of the windows of `length` every `stride` points, the last one flush with the end."""
    if n_points < length:
        raise ValueError(f"a stream of {n_points} points has no window of {length}")
    starts = np.arange(0, n_points - length + 1, stride)
    return starts if starts[-1] == n_points - length else np.r_[starts, n_points - length]


def windows_at(values: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """The windows values[s:s + length] for s in starts, shape (len(starts), length)."""
    return np.lib.stride_tricks.sliding_window_view(values, length)[starts]


def kth_neighbour_distances(queries: np.ndarray, reference: np.ndarray, k: int,
                            exclusion: tuple[np.ndarray, np.ndarray, int] | None = None,
                            chunk: int = 1024) -> np.ndarray:
    """Euclidean distance of each query to its k-th nearest reference row (pyod's KNN default,
    method "largest", k = 5). `exclusion` = (query starts, reference starts, zone): reference
    windows starting fewer than `zone` points from the query's start are not neighbours (the
    trivial matches of a window with its own overlapping shifts, when a stream scores itself)."""
    reference_norms = (reference ** 2).sum(axis=1)
    out = np.empty(len(queries))
    for lo in range(0, len(queries), chunk):
        block = queries[lo:lo + chunk]
        squared = ((block ** 2).sum(axis=1)[:, None] + reference_norms[None, :]
                   - 2 * block @ reference.T)
        if exclusion is not None:
            query_starts, reference_starts, zone = exclusion
            near = np.abs(query_starts[lo:lo + chunk, None] - reference_starts[None, :]) < zone
            squared[near] = np.inf
        out[lo:lo + chunk] = np.sqrt(np.maximum(np.partition(squared, k - 1, axis=1)[:, k - 1], 0))
    return out


def hbos_scores(reference: np.ndarray, queries: np.ndarray, bins: int = 10, alpha: float = 0.1,
                tol: float = 0.5) -> np.ndarray:
    """Histogram-based outlier scores (Goldstein & Dengel 2012) with pyod's HBOS defaults: per
    coordinate, a density histogram of `bins` equal bins over the reference rows; a query's score
    is -sum over coordinates of log2(density of its bin + alpha); a value outside the histogram
    counts in the edge bin when within `tol` bin widths of it, else gets the lowest density's
    score. (numpy, as pyod computes it, without pyod's numba compilation.)"""
    low, high = reference.min(axis=0), reference.max(axis=0)
    flat = high == low  # np.histogram's range for a constant coordinate
    edges = np.linspace(np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high),
                        bins + 1).T  # (coordinates, bins + 1)
    reference_bin = np.minimum((reference[:, :, None] >= edges[None]).sum(-1) - 1, bins - 1)
    counts = np.zeros((reference.shape[1], bins))
    np.add.at(counts, (np.arange(reference.shape[1])[None, :], reference_bin), 1)
    width = edges[:, 1] - edges[:, 0]
    log_density = np.log2(counts / (len(reference) * width[:, None]) + alpha)
    index = (queries[:, :, None] > edges[None]).sum(-1)  # np.digitize(right=True)
    columns = np.arange(queries.shape[1])[None, :]
    per_value = log_density[columns, np.clip(index, 1, bins) - 1]
    outlying = (((index == 0) & (edges[:, 0] - queries > width * tol))
                | ((index == bins + 1) & (queries - edges[:, -1] > width * tol)))
    per_value = np.where(outlying, log_density.min(axis=1)[None, :], per_value)
    return -per_value.sum(axis=1)


def point_scores(window_scores: np.ndarray, starts: np.ndarray, length: int,
                 n_points: int) -> np.ndarray:
    """Per time point, the mean score of the windows covering it."""
    total, count = np.zeros(n_points + 1), np.zeros(n_points + 1)
    np.add.at(total, starts, window_scores)
    np.add.at(total, starts + length, -window_scores)
    np.add.at(count, starts, 1)
    np.add.at(count, starts + length, -1)
    return np.cumsum(total)[:-1] / np.cumsum(count)[:-1]


def score_stream(values: np.ndarray, train_points: int, length: int, stride: int,
                 detector: str, neighbours: int = 5) -> np.ndarray:
    """Per-point scores of the test part values[train_points:] from windows of `length` every
    `stride` points. With a training part, the detector is fitted on the training part's windows
    and scores the test part's; without one (train_points == 0) it is fitted on the test part's
    own windows and scores them (unsupervised; KNN then skips each window's overlapping shifts).
    `detector`: "knn" (distance to the k-th nearest window) or "hbos" (per-coordinate histograms,
    10 bins: hbos_scores)."""
    test = values[train_points:]
    starts = window_starts(len(test), length, stride)
    queries = windows_at(test, starts, length)
    supervised = train_points > 0
    if supervised:
        reference = windows_at(values[:train_points],
                               window_starts(train_points, length, stride), length)
    if detector == "knn":
        scores = (kth_neighbour_distances(queries, reference, neighbours) if supervised else
                  kth_neighbour_distances(queries, queries, neighbours, (starts, starts, length)))
    elif detector == "hbos":
        scores = hbos_scores(reference if supervised else queries, queries)
    else:
        raise ValueError(f"unknown detector {detector!r}: knn or hbos")
    return point_scores(scores, starts, length, len(test))
