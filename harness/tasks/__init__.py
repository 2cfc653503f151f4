"""Data for claims: generated from the claim's seed, or loaded from a package that ships it."""

from harness.tasks.features import random_fourier_features
from harness.tasks.regression_1d import periodic_grid, phase_diagram_points, sum_of_sines

__all__ = ["periodic_grid", "phase_diagram_points", "random_fourier_features", "sum_of_sines"]
