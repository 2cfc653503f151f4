"""Measures for grokking: accuracies, attention entropy, and the compressibility of features."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def accuracy(outputs: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of correct predictions: argmax of (n, classes) logits, or the sign of (n,) scores
    against labels in {-1, +1}."""
    predicted = outputs.argmax(dim=-1) if outputs.dim() == 2 else outputs.sign()
    return float((predicted == labels).double().mean())


def attention_entropy(weights: torch.Tensor) -> float:
    """Mean Shannon entropy (nats) of attention rows; `weights` (..., keys) with rows summing to
    1. ln(keys) is uniform attention, 0 attention on one key."""
    w = weights.double()
    return float(-(w * w.clamp_min(1e-300).log()).sum(dim=-1).mean())


def _singular_values(features: torch.Tensor) -> torch.Tensor:
    centred = features.double() - features.double().mean(dim=0)
    return torch.linalg.svdvals(centred)


def effective_rank(features: torch.Tensor) -> float:
    """exp of the entropy of the normalised singular values of the centred (n, d) features
    (Roy and Vetterli 2007): d for a flat spectrum, 1 for rank one."""
    s = _singular_values(features)
    p = s / s.sum()
    return float(torch.exp(-(p * p.clamp_min(1e-300).log()).sum()))


def stable_rank(features: torch.Tensor) -> float:
    """||F||_F^2 / ||F||_2^2 of the centred (n, d) features."""
    s = _singular_values(features)
    return float((s**2).sum() / s[0] ** 2)


class FirstCrossings:
    """The first recorded step at which each tracked quantity reached (>=) its level.

    `record(step, name=value, ...)` returns True once every quantity has crossed, so it can end
    a run through `train.fit(..., observe=...)`.
    """

    def __init__(self, **levels: float):
        self.levels = levels
        self.steps: dict[str, int] = {}

    def record(self, step: int, **values: float) -> bool:
        for name, value in values.items():
            if name not in self.steps and value >= self.levels[name]:
                self.steps[name] = step
        return len(self.steps) == len(self.levels)

    def step(self, name: str) -> float:
        """The crossing step of `name`; inf if it has not crossed."""
        return float(self.steps.get(name, float("inf")))


def fall_while_memorised(train_accuracy: Sequence[float], test_accuracy: Sequence[float],
                         values: Sequence[float], generalised_at: float = 0.5) -> float:
    """The lowest of `values` over the evaluations at which a run has memorised (train accuracy
    >= 0.99) before it first generalised (test accuracy >= `generalised_at`), over its value at
    the first such evaluation: 1 when nothing fell before generalisation, nan when the run never
    sat in that state. The three sequences are one run's evaluations, in order."""
    memorised = []
    for fit, test, value in zip(train_accuracy, test_accuracy, values, strict=True):
        if test >= generalised_at:
            break
        if fit >= 0.99:
            memorised.append(value)
    return min(memorised) / memorised[0] if memorised else math.nan


def grokking_delay(run, fit: float, generalise: float, must_generalise: bool) -> float:
    """Steps to generalise over steps to fit (the first-crossing steps, inf when never). The
    seed's measurement (`run.require`) is valid only if the fit was observed, and on the side
    that claims grokking only if generalisation was observed too: a run that fits and never
    generalises scores 0, which can refute a claim (its control) but never support one."""
    run.require(math.isfinite(fit), "the training set was never fitted within the budget")
    if must_generalise:
        run.require(math.isfinite(generalise), "the test accuracy never reached its level "
                                               "within the budget")
    return 0.0 if math.isinf(generalise) else generalise / max(fit, 1)
