"""Properties of the measures: invariances and closed forms."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harness import measures, tasks

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
weights_2d = st.integers(2, 40).flatmap(
    lambda m: st.tuples(arrays(np.float64, (m, 2), elements=finite.filter(lambda v: abs(v) > 1e-3)),
                        arrays(np.float64, (m,), elements=st.floats(1e-3, 10))))


@given(weights_2d, st.floats(1e-3, 1e3), st.randoms(use_true_random=False))
def test_orientation_share_ignores_scale_and_order(data, scale, random):
    w, amplitudes = data
    share = measures.orientation_share(w, amplitudes)
    order = list(range(len(w)))
    random.shuffle(order)
    assert np.isclose(measures.orientation_share(w, scale * amplitudes), share)
    assert np.isclose(measures.orientation_share(w[order], amplitudes[order]), share)
    assert 0 < share <= 1 + 1e-12


@given(weights_2d, st.floats(0.01, 100))
def test_orientation_share_ignores_the_length_of_input_weights(data, scale):
    w, amplitudes = data
    assert np.isclose(measures.orientation_share(scale * w, amplitudes),
                      measures.orientation_share(w, amplitudes))


@given(st.floats(-np.pi, np.pi), st.integers(1, 50))
def test_neurons_on_one_orientation_are_fully_condensed(angle, m):
    direction = np.array([np.cos(angle), np.sin(angle)])
    w = np.outer(np.linspace(0.1, 2.0, m), direction)
    assert np.isclose(measures.orientation_share(w, np.ones(m), bins=1), 1.0)


def test_uniform_orientations_spread_the_share():
    angles = np.linspace(-np.pi, np.pi, 1000, endpoint=False)
    w = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    share = measures.orientation_share(w, np.ones(1000), bins=4, bin_width=0.05)
    assert np.isclose(share, 4 * 0.05 / (2 * np.pi), atol=0.01)


@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_spectral_error_of_a_sum_of_sines_is_the_amplitude_error(amplitudes):
    x = tasks.periodic_grid(64)
    target = tasks.sum_of_sines(x, [1, 3, 5]).numpy()[:, 0]
    output = tasks.sum_of_sines(x, [1, 3, 5], amplitudes).numpy()[:, 0]
    errors = measures.relative_spectral_error(output, target, [1, 3, 5])
    assert np.allclose(errors, np.abs(np.array(amplitudes) - 1), atol=1e-5)


@given(arrays(np.float64, (8,), elements=st.floats(1e-3, 1e3)), st.floats(1e-2, 1e2))
def test_relative_distance_is_scale_free(theta0, scale):
    theta = theta0 * 1.5
    assert np.isclose(measures.relative_distance(theta, theta0), 0.5)
    assert np.isclose(measures.relative_distance(scale * theta, scale * theta0), 0.5)


def test_first_step_below():
    steps = np.array([0, 10, 20, 30])
    assert measures.first_step_below(np.array([1.0, 0.5, 0.1, 0.05]), steps, 0.2) == 20
    assert measures.first_step_below(np.array([1.0, 0.5]), steps[:2], 0.2) == float("inf")
