"""Measures, tasks and models of the canonical-phenomena claims (double descent, stability,
implicit bias, incremental learning, neural collapse, simplicity bias)."""

import math

import numpy as np
import pytest
import torch

from harness import measures, tasks
from harness.models import (
    DeepLinearSpec,
    LinearSpec,
    MLPSpec,
    TwoLayerSpec,
    deep_linear,
    linear,
    mlp,
    two_layer_net,
)


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def test_hard_margin_direction_recovers_the_planted_svm():
    x, y, w = tasks.planted_max_margin(40, 5, pairs=2, gap=1.0, generator=generator())
    assert measures.angle(measures.hard_margin_direction(x, y), w.numpy()) < 1e-6
    assert float((y * (x @ w)).min()) == pytest.approx(1.0)
    assert torch.sort(y * (x @ w)).values[4] >= 2.0  # every other point beyond the gap


def test_angle_is_accurate_for_small_and_opposite_vectors():
    u = np.array([1.0, 0.0])
    assert measures.angle(u, np.array([1.0, 1e-9])) == pytest.approx(1e-9, rel=1e-6)
    assert measures.angle(u, -u) == pytest.approx(math.pi)


def test_within_class_variability_vanishes_on_collapsed_features():
    labels = torch.arange(3).repeat_interleave(10)
    means = torch.randn(3, 5, generator=generator(), dtype=torch.float64)
    assert measures.within_class_variability(means[labels], labels) == pytest.approx(0, abs=1e-12)
    noisy = means[labels] + 0.3 * torch.randn(30, 5, generator=generator(1), dtype=torch.float64)
    value = measures.within_class_variability(noisy, labels)
    assert value > 0
    assert measures.within_class_variability(7 * noisy, labels) == pytest.approx(value)


def test_min_norm_readout_interpolates_and_ridge_does_not():
    features = torch.randn(20, 50, generator=generator(), dtype=torch.float64)
    y = torch.randn(20, generator=generator(1), dtype=torch.float64)
    assert torch.allclose(features @ (measures.readout_map(features) @ y), y, atol=1e-10)
    ridge = measures.readout_map(features, ridge=0.1) @ y
    assert (features @ ridge - y).norm() > 1e-3
    assert ridge.norm() < (measures.readout_map(features) @ y).norm()


def test_label_noise_amplification_matches_a_monte_carlo_estimate():
    g = generator()
    train = torch.randn(30, 30, generator=g, dtype=torch.float64)
    test = torch.randn(200, 30, generator=g, dtype=torch.float64)
    f, f_test = torch.randn(30, generator=g, dtype=torch.float64), torch.zeros(200,
                                                                              dtype=torch.float64)
    f_test = test @ torch.randn(30, generator=g, dtype=torch.float64)
    exact = measures.label_noise_amplification(train, f, test, f_test, noise=0.5)
    clean = measures.readout_test_error(train, f, test, f_test)
    noisy = np.mean([measures.readout_test_error(
        train, f + 0.5 * torch.randn(30, generator=g, dtype=torch.float64), test, f_test)
        for _ in range(2000)])
    assert exact == pytest.approx(noisy / clean, rel=0.1)


def test_readout_features_are_the_hidden_activations():
    spec = TwoLayerSpec(in_dim=3, width=6, activation="relu", alpha=2.0, dtype=torch.float64)
    net = two_layer_net(spec, generator())
    x = torch.randn(7, 3, generator=generator(1), dtype=torch.float64)
    expected = torch.relu(x @ net.w.T + net.b) / 2.0
    assert torch.allclose(measures.readout_features(net, x, chunk=3), expected)


def test_hessian_top_eigenvalue_of_a_quadratic():
    p = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    a = torch.diag(torch.tensor([3.0, 1.0, 0.5], dtype=torch.float64))
    value, v = measures.hessian_top_eigenvalue(lambda: 0.5 * p @ a @ p, [p], iterations=100,
                                               generator=generator())
    assert value == pytest.approx(3.0, rel=1e-6)
    assert abs(float(v[0])) == pytest.approx(1.0, rel=1e-6)


def test_ntk_top_eigenvalue_of_a_linear_model_is_that_of_the_data_gram():
    model = linear(LinearSpec(dim=4, init_std=1.0), generator())
    x = torch.randn(10, 4, generator=generator(1), dtype=torch.float64)
    expected = float(torch.linalg.eigvalsh(x @ x.T / 10)[-1])
    assert measures.ntk_top_eigenvalue(model, x) == pytest.approx(expected)


def test_deep_linear_lazy_init_starts_at_zero_with_an_orthogonal_first_layer():
    net = deep_linear(DeepLinearSpec(4, 3, width=5, depth=3, init_std=2.0, init="lazy"),
                      generator())
    assert net.end_to_end().abs().max() == 0
    first = net.layers[0]
    assert torch.allclose(first.T @ first, 4 * torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="depth must be >= 2"):
        DeepLinearSpec(2, 2, width=2, depth=1)


def test_mlp_features_are_the_last_hidden_layer():
    net = mlp(MLPSpec(in_dim=3, out_dim=2, width=4, depth=2), generator())
    x = torch.randn(5, 3, generator=generator(1))
    out = net(x)
    assert torch.allclose(out, net.features() @ net.weights[-1].T + net.biases[-1])


def test_lms_data_every_coordinate_predicts_the_label():
    x, y = tasks.linear_and_slabs(500, 3, generator(), slab_width=0.3)
    assert bool(((x[:, 0] * y) >= 0.1).all())
    centres = torch.round(x[:, 1:] * 2) / 2  # the nearest slab centre
    slab_label = torch.where(torch.remainder(torch.round(centres * 2), 2) == 0, 1.0, -1.0)
    assert bool((slab_label == y[:, None]).all())
    x, y = tasks.linear_and_slabs(2000, 1, generator(1), linear_predictive=False)
    assert abs(float((x[:, 0].sign() == y).float().mean()) - 0.5) < 0.05
