"""Properties of the direction-cluster measures and of the condensation reduction."""

import numpy as np
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harness import measures
from harness.models import CNNSpec, two_layer_cnn
from harness.reduction import image_patches, merge_condensed_neurons, relu_layer_output

entries = st.floats(-5, 5, allow_nan=False).filter(lambda v: abs(v) > 1e-2)
vectors = st.integers(2, 20).flatmap(lambda n: arrays(np.float64, (n, 3), elements=entries))


@given(vectors, st.floats(0.1, 10), st.permutations(range(20)))
def test_clusters_partition_and_ignore_scale_and_order(v, scale, order):
    order = np.array([i for i in order if i < len(v)])
    weights = np.arange(len(v), dtype=float)
    clusters = measures.direction_clusters(v, weights)
    assert sorted(np.concatenate(clusters).tolist()) == list(range(len(v)))
    assert len(measures.direction_clusters(scale * v, weights)) == len(clusters)
    shuffled = measures.direction_clusters(v[order], weights[order])
    assert sorted(sorted(order[c].tolist()) for c in shuffled) == sorted(
        sorted(c.tolist()) for c in clusters)


@given(arrays(np.float64, (3,), elements=entries), st.lists(st.floats(0.1, 5), min_size=2,
                                                              max_size=10))
def test_one_direction_and_its_opposite(direction, lengths):
    signs = np.where(np.arange(len(lengths)) % 2, -1.0, 1.0)
    v = (signs * np.array(lengths))[:, None] * direction
    assert len(measures.direction_clusters(v, np.ones(len(v)), lines=True)) == 1
    assert len(measures.direction_clusters(v, np.ones(len(v)), lines=False)) == 2
    assert np.isclose(measures.mean_abs_cosine(v), 1.0)


@given(vectors, arrays(np.float64, (20,), elements=st.floats(0.1, 10)))
def test_cosine_matrix_is_symmetric_unit_diagonal_and_ignores_row_scale(v, scales):
    cos = measures.cosine_matrix(v)
    assert np.allclose(cos, cos.T) and np.allclose(np.diag(cos), 1.0)
    assert np.all(np.abs(cos) <= 1 + 1e-12)
    assert np.allclose(measures.cosine_matrix(scales[:len(v), None] * v), cos)


@given(st.floats(-3, 3), st.floats(0.1, 10), st.floats(0.1, 10))
def test_log_log_slope_recovers_a_power_law(exponent, prefactor, start):
    x = start * np.array([1.0, 2.0, 4.0, 8.0])
    assert np.isclose(measures.log_log_slope(x, prefactor * x**exponent), exponent)


@given(arrays(np.float64, (4, 2), elements=entries), arrays(np.float64, (4,), elements=entries),
       st.lists(st.floats(0.1, 3), min_size=4, max_size=4))
def test_merging_copies_of_neurons_is_exact(base_w, base_a, scales):
    """Neurons that are positive multiples of one another merge into one, output unchanged."""
    unit = base_w / np.linalg.norm(base_w, axis=1, keepdims=True)
    assume(np.all(np.abs(unit @ unit.T - np.eye(4)) < 0.99))
    w = np.concatenate([base_w, np.array(scales)[:, None] * base_w])
    a = np.concatenate([base_a, base_a])
    x = np.linspace(-2, 2, 9)[:, None]
    merged_w, merged_a = merge_condensed_neurons(w, a, min_cos=0.999)
    assert len(merged_w) == 4
    assert np.allclose(relu_layer_output(merged_w, merged_a, x), relu_layer_output(w, a, x))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 3))
def test_a_relu_cnn_is_its_kernels_acting_on_image_patches(seed, in_channels):
    generator = torch.Generator().manual_seed(seed)
    net = two_layer_cnn(CNNSpec(in_channels=in_channels, channels=5, kernel_size=3, image_size=6,
                      out_dim=2, activation="relu", w_std=0.5, a_std=0.5,
                      dtype=torch.float64), generator)
    images = torch.randn(4, in_channels, 6, 6, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        expected = net(images).numpy()
        w, a = net.kernels().numpy(), net.kernel_output_weights().numpy()
    assert np.allclose(relu_layer_output(w, a, image_patches(images, 3)), expected)
