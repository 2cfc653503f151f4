"""Verdict rules: how per-seed outcomes combine into one verdict, declared up front by each claim.

A claim holds when its rule accepts the per-seed successes (value meets the threshold). Its control
must meet the *negation* by the same rule (every control seed misses the threshold, or misses
significantly often), so "the control does not hold" is as strong a statement as the claim itself.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def meets(value: float, op: str, threshold: float) -> bool:
    """Whether one measured value meets `op threshold`; NaN never does."""
    return bool(COMPARISONS[op](value, threshold))


@dataclass(frozen=True)
class EverySeed:
    """Holds if every seed succeeds."""

    def holds(self, successes: Sequence[bool]) -> bool:
        return len(successes) > 0 and all(successes)

    def describe(self) -> str:
        return "holds in every seed"


@dataclass(frozen=True)
class Binomial:
    """Holds if successes are significantly more frequent than `p0` (one-sided binomial test)."""

    alpha: float = 0.05
    p0: float = 0.5

    def holds(self, successes: Sequence[bool]) -> bool:
        if not successes:
            return False
        from scipy.stats import binomtest  # here: scipy.stats costs ~1 s at every pytest start

        test = binomtest(sum(successes), len(successes), self.p0, alternative="greater")
        return bool(test.pvalue < self.alpha)

    def describe(self) -> str:
        return f"one-sided binomial test, successes > {self.p0:g} at {self.alpha:g}"


@dataclass(frozen=True)
class Majority:
    """Holds if more than half of the seeds succeed: for phenomena the paper reports as the
    usual outcome of a seed, not the outcome of every seed (too few seeds at CI scale for the
    binomial test; its control must then fail in more than half of its seeds)."""

    def holds(self, successes: Sequence[bool]) -> bool:
        return 2 * sum(successes) > len(successes)

    def describe(self) -> str:
        return "holds in more than half of the seeds"


Rule = EverySeed | Binomial | Majority

every_seed = EverySeed()
majority = Majority()


def binomial(alpha: float = 0.05, p0: float = 0.5) -> Binomial:
    return Binomial(alpha, p0)
