"""Closed forms of the frequency family's measures and tasks: the Gaussian low/high split, Walsh
shares on the hypercube, DFT shares, and the Poisson problem's losses."""

import itertools
import math

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from harness import measures, tasks


def cube(dim: int) -> np.ndarray:
    """Every point of {-1, +1}^dim: characters are exactly orthonormal on it."""
    return np.array(list(itertools.product((-1.0, 1.0), repeat=dim)))


@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.floats(-2, 2))
def test_walsh_shares_are_squared_coefficients(coefficients, offset):
    x = cube(4)
    subsets = [(0,), (1, 2), (0, 1, 3)]
    terms = zip(coefficients, subsets, strict=True)
    f = offset + sum(c * x[:, list(s)].prod(axis=1) for c, s in terms)
    total = sum(c * c for c in coefficients)
    assume(total > 1e-6)
    for c, s in zip(coefficients, subsets, strict=True):
        assert np.isclose(measures.walsh_share(f, x, [s]), c * c / total)
    assert np.isclose(measures.walsh_share(f, x, subsets), 1.0)
    assert np.isclose(measures.walsh_share(f, x, [(3,)]), 0.0, atol=1e-12)


@given(st.integers(1, 20), st.integers(1, 21))
def test_low_frequency_share_of_a_sine_is_all_or_nothing(k, below):
    x = tasks.periodic_grid(64, dtype=torch.float64).numpy()[:, 0]
    share = measures.low_frequency_share(np.sin(k * x), below)
    assert np.isclose(share, 1.0 if k < below else 0.0, atol=1e-9)


def test_gaussian_smoother_averages_and_rejects_bad_variance():
    points = np.random.default_rng(0).normal(size=(50, 5))
    smoother = measures.gaussian_smoother(points, 2.0)
    assert np.allclose(smoother.sum(axis=1), 1.0)
    assert np.allclose(smoother @ np.ones(50), 1.0)  # a constant is all low frequency
    with pytest.raises(ValueError, match="delta > 0"):
        measures.gaussian_smoother(points, 0.0)


def test_low_high_errors_are_zero_at_the_target_and_one_at_zero():
    points = np.random.default_rng(1).normal(size=(40, 3))
    smoother = torch.as_tensor(measures.gaussian_smoother(points, 1.0))
    target = torch.as_tensor(np.random.default_rng(2).normal(size=(40, 2)))
    assert measures.low_high_errors(target, target, smoother) == (0.0, 0.0)
    e_low, e_high = measures.low_high_errors(torch.zeros_like(target), target, smoother)
    assert math.isclose(e_low, 1.0) and math.isclose(e_high, 1.0)


def test_sparse_parity_is_the_product_of_its_support():
    x = tasks.hypercube_points(100, 6, torch.Generator().manual_seed(0))
    assert set(x.unique().tolist()) == {-1.0, 1.0}
    assert torch.equal(tasks.sparse_parity(x, (1, 4))[:, 0], x[:, 1] * x[:, 4])


class ExactSolution(torch.nn.Module):
    def __init__(self, problem):
        super().__init__()
        self.problem = problem
        self.scale = torch.nn.Parameter(torch.ones((), dtype=torch.float64))

    def forward(self, x):
        return self.scale * self.problem.solution(x)


def test_the_exact_solution_has_zero_data_and_residual_loss():
    problem = tasks.Poisson1D(frequencies=(1, 4), amplitudes=(1.0, 0.2))
    x = problem.grid(50)
    model = ExactSolution(problem)
    assert torch.allclose(tasks.second_derivative(model, x), problem.source(x))
    assert tasks.data_loss(model, problem, x)().item() == 0.0
    assert tasks.residual_loss(model, problem, x)().item() < 1e-20
    with pytest.raises(ValueError, match="as many amplitudes"):
        tasks.Poisson1D(frequencies=(1, 2), amplitudes=(1.0,))
