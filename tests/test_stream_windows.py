"""Window scoring of streams: windows cover the stream, point scores average the windows over
them, and the numpy KNN and HBOS agree with pyod's (the reference implementations)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.measures.stream_windows import (
    hbos_scores,
    kth_neighbour_distances,
    point_scores,
    score_stream,
    window_starts,
)


@given(st.integers(1, 50), st.integers(1, 20), st.integers(0, 200))
def test_windows_start_every_stride_and_the_last_is_flush_with_the_end(length, stride, extra):
    n = length + extra
    starts = window_starts(n, length, stride)
    assert starts[0] == 0 and starts[-1] == n - length
    assert np.all(np.diff(starts) <= stride) and np.all(np.diff(starts) > 0)


@given(st.integers(1, 10), st.integers(0, 40), st.data())
def test_a_point_score_is_the_mean_of_the_windows_covering_it(length, extra, data):
    n, stride = length + extra, data.draw(st.integers(1, length))  # every point covered
    starts = window_starts(n, length, stride)
    scores = np.array(data.draw(st.lists(st.floats(-10, 10), min_size=len(starts),
                                         max_size=len(starts))))
    covering = [(starts <= t) & (t < starts + length) for t in range(n)]
    expected = [scores[inside].mean() for inside in covering]
    assert np.allclose(point_scores(scores, starts, length, n), expected)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_knn_and_hbos_agree_with_pyod(seed):
    knn = pytest.importorskip("pyod.models.knn")
    hbos = pytest.importorskip("pyod.models.hbos")
    rng = np.random.default_rng(seed)
    reference, queries = rng.normal(size=(60, 6)), rng.normal(scale=1.5, size=(25, 6))
    assert np.allclose(kth_neighbour_distances(queries, reference, 5),
                       knn.KNN().fit(reference).decision_function(queries), atol=1e-6)
    assert np.allclose(hbos_scores(reference, queries),
                       hbos.HBOS().fit(reference).decision_function(queries), atol=1e-6)


def test_an_anomalous_stretch_scores_above_the_rest():
    rng = np.random.default_rng(0)
    period = np.sin(np.linspace(0, 2 * np.pi, 20, endpoint=False))
    stream = np.tile(period, 30) + 0.05 * rng.normal(size=600)
    stream[400:420] = rng.normal(size=20)
    for detector in ("knn", "hbos"):
        scores = score_stream(stream, 200, 20, 2, detector)
        assert scores[200:220].mean() > np.percentile(np.r_[scores[:180], scores[240:]], 95)
