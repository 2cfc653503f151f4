"""Default factories of the roles claims train."""

from harness.models.specs import TwoLayerSpec
from harness.models.two_layer import TwoLayerNet, two_layer_net

__all__ = ["TwoLayerNet", "TwoLayerSpec", "two_layer_net"]
