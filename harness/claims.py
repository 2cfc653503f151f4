"""The claim: a paper's sentence as a measured outcome with a threshold, a control and a rule.

A claim is declared with `@claim(...)` over an experiment `fn(run, **knobs) -> float`. The same
experiment runs for the claim (its default knobs) and for the control (`control(...)` flips knobs);
both are measured by the same metric against the same threshold. The claim holds when its rule
accepts the seeds that meet the threshold; the control must meet the negation by the same rule.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from harness.references import Source
from harness.run import Run, Settings
from harness.seeding import derive_seed
from harness.stats import COMPARISONS, Rule, every_seed, meets

Experiment = Callable[..., float]


@dataclass(frozen=True)
class Scaled:
    """A number that depends on the session's scale."""

    ci: int
    paper: int

    def at(self, scale: str) -> int:
        return self.ci if scale == "ci" else self.paper


def per_scale(ci: int, paper: int) -> Scaled:
    return Scaled(ci, paper)


@dataclass(frozen=True)
class Control:
    """The same experiment with the causal knob flipped."""

    condition: str
    knobs: dict[str, Any]


def control(condition: str, **knobs: Any) -> Control:
    """`control("large init (linear regime)", init_std=1.0)`."""
    return Control(condition, knobs)


class ClaimNotMet(AssertionError):
    """The measured values do not support the claim, or the control does not refute it."""


@dataclass
class Outcome:
    """What one evaluation of a claim measured (plain data: it is cached and reported)."""

    seeds: list[int]
    values: list[float]
    control_values: list[float]
    seconds: float
    roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Claim:
    is_phenomena_claim: ClassVar[bool] = True  # how the plugin recognises a claim when collecting

    id: str
    statement: str
    source: Source
    metric: str
    op: str
    threshold: float
    control: Control
    seeds: Scaled
    rule: Rule
    experiment: Experiment
    xfail: str | None = None
    seed_name: str = ""

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]

    def describe(self) -> dict[str, Any]:
        """The claim's declaration as report fields (no measurement yet)."""
        return {
            "id": self.id,
            "family": self.family,
            "statement": self.statement,
            "source": str(self.source),
            "reference": self.source.reference.key,
            "metric": self.metric,
            "op": self.op,
            "threshold": self.threshold,
            "rule": self.rule.describe(),
            "control": {"condition": self.control.condition},
            "expected": "xfail" if self.xfail else "pass",
            "xfail_reason": self.xfail,
        }

    def evaluate(self, settings: Settings,
                 progress: Callable[[str], None] | None = None) -> Outcome:
        """Run the experiment for every seed, claim side then control side; `progress` gets a
        line per seed."""
        start = time.perf_counter()
        seeds = [derive_seed(settings.base_seed, self.seed_name or self.id, i)
                 for i in range(self.seeds.at(settings.scale))]
        roles: set[str] = set()

        def measure(side: str, knobs: dict[str, Any]) -> list[float]:
            values = []
            for index, seed in enumerate(seeds, start=1):
                run = Run(seed, settings)
                values.append(float(self.experiment(run, **knobs)))
                roles.update(run.roles_built)
                if progress:
                    progress(f"{self.id} {side} seed {index}/{len(seeds)}: {values[-1]:.4g} "
                             f"({time.perf_counter() - start:.1f} s)")
            return values

        values = measure("claim", {})
        control_values = measure("control", self.control.knobs)
        return Outcome(seeds, values, control_values, time.perf_counter() - start, sorted(roles))

    def holds(self, values: list[float]) -> bool:
        """The rule accepts the seeds whose value meets the threshold."""
        return self.rule.holds([meets(v, self.op, self.threshold) for v in values])

    def refuted_by(self, control_values: list[float]) -> bool:
        """The rule accepts the control seeds whose value misses the threshold."""
        return self.rule.holds([not meets(v, self.op, self.threshold) for v in control_values])

    def passed(self, outcome: Outcome) -> bool:
        return self.holds(outcome.values) and self.refuted_by(outcome.control_values)

    def explain(self, outcome: Outcome) -> str:
        """One paragraph saying why a claim failed, with the numbers."""
        def fmt(values: list[float]) -> str:
            return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"

        target = f"{self.metric} {self.op} {self.threshold:g} ({self.rule.describe()})"
        lines = []
        if not self.holds(outcome.values):
            lines.append(f"claim not met: {target}; measured {fmt(outcome.values)}")
        if not self.refuted_by(outcome.control_values):
            lines.append(f"control ({self.control.condition}) does not refute it: measured "
                         f"{fmt(outcome.control_values)}, which must miss {self.op} "
                         f"{self.threshold:g}")
        return "\n".join(lines)


def claim(
    *,
    id: str,
    statement: str,
    source: Source,
    metric: str,
    holds_if: tuple[str, float],
    control: Control,
    seeds: Scaled = Scaled(ci=3, paper=10),
    verdict: Rule = every_seed,
    xfail: str | None = None,
    seed_name: str | None = None,
) -> Callable[[Experiment], Claim]:
    """Declare a claim over an experiment `fn(run, **knobs) -> float` (see the module docstring).

    `seed_name` (default: the id) names the seed stream; claims that read different measures off
    one shared training run (`run.shared`) give the same name, so their seeds coincide.
    """
    op, threshold = holds_if
    if op not in COMPARISONS:
        raise ValueError(f"claim {id}: holds_if op {op!r} not in {', '.join(COMPARISONS)}")
    if id.count("/") != 1:
        raise ValueError(f"claim id {id!r} must be 'family/short-name'")

    def declare(experiment: Experiment) -> Claim:
        knobs = inspect.signature(experiment).parameters
        unknown = set(control.knobs) - set(knobs)
        if unknown:
            raise ValueError(f"claim {id}: control flips {sorted(unknown)}, which "
                             f"{experiment.__name__}() does not take")
        return Claim(id, statement, source, metric, op, float(threshold), control, seeds,
                     verdict, experiment, xfail, seed_name or id)

    return declare
