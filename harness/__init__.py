"""phenomena's harness: what claims stand on (declaration, seeds, roles, training, measures)."""

from harness.claims import Claim, claim, control, per_scale
from harness.references import paper
from harness.stats import binomial, every_seed, majority

__all__ = ["Claim", "binomial", "claim", "control", "every_seed", "majority", "paper", "per_scale"]
