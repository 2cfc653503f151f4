"""Measures read off a trained model or a training run."""

from harness.measures.condensation import neuron_amplitudes, orientation_share, relative_distance
from harness.measures.spectrum import first_step_below, relative_spectral_error

__all__ = [
    "first_step_below",
    "neuron_amplitudes",
    "orientation_share",
    "relative_distance",
    "relative_spectral_error",
]
