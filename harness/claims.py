"""The claim: a paper's sentence as a measured outcome with a threshold, a control and a rule.

A claim is declared with `@claim(...)` over an experiment `fn(run, **knobs) -> float`. The same
experiment runs for the claim (its default knobs) and for the control (`control(...)` flips knobs);
both are measured by the same metric against the same threshold. The claim holds when its rule
accepts the seeds that meet the threshold; the control must meet the negation by the same rule.
"""

from __future__ import annotations

import inspect
import math
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


class ModelFault(Exception):
    """An experiment crashed on a model given with --arch (autograd refused it, a shape it
    cannot take): the message names the model and the fault in one line."""


@dataclass
class Outcome:
    """What one evaluation of a claim measured (plain data: it is cached and reported).

    `invalid[i]` says why the claim side's i-th measurement is not valid (None when it is), and
    `control_invalid` the same for the control. `stopped_early` marks an evaluation that stopped
    at the first seed that decided the verdict against the claim (fewer values than seeds).
    `traces["claim"][i]` is what the claim side's i-th seed recorded (`Run.trace`), when the
    session keeps traces.
    """

    seeds: list[int]
    values: list[float]
    control_values: list[float]
    seconds: float
    roles: list[str] = field(default_factory=list)
    invalid: list[str | None] = field(default_factory=list)
    control_invalid: list[str | None] = field(default_factory=list)
    stopped_early: bool = False
    breakages: int = 0  # degenerate models that broke in it (harness/degenerate.py)
    traces: dict[str, list[dict[str, Any]]] | None = None  # per side, per seed; None: not kept
    provenance: dict[str, Any] = field(default_factory=dict)  # where it ran (provenance.py)


SIDES = ("claim", "control")


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
            "references": self.source.keys,
            "paper_value": self.source.reported,
            "metric": self.metric,
            "op": self.op,
            "threshold": self.threshold,
            "rule": self.rule.describe(),
            "control": {"condition": self.control.condition},
            "expected": "xfail" if self.xfail else "pass",
            "xfail_reason": self.xfail,
        }

    def evaluate(self, settings: Settings, progress: Callable[[str], None] | None = None,
                 stop_when_decided: bool = False) -> Outcome:
        """Run the experiment for every seed, claim side then control side; `progress` gets a
        line per seed. With `stop_when_decided`, stop at the first seed after which the rule
        can no longer accept the side (the control is not run once the claim side has failed)."""
        start = time.perf_counter()
        seeds = [derive_seed(settings.base_seed, self.seed_name or self.id, i)
                 for i in range(self.seeds.at(settings.scale))]
        roles: set[str] = set()
        breakages = 0
        measured: dict[str, tuple[list[float], list[str | None]]] = {s: ([], []) for s in SIDES}
        traces: dict[str, list[dict[str, Any]]] = {s: [] for s in SIDES}

        def measure(side: str, knobs: dict[str, Any]) -> bool:
            """Measure one side; False when it stopped with the verdict decided against."""
            nonlocal breakages
            values, invalid = measured[side]
            for index, seed in enumerate(seeds, start=1):
                run = Run(seed, settings)
                value, why = self.measure_seed(run, knobs, f"{side} side, seed {index} of "
                                                           f"{len(seeds)}")
                values.append(value)
                invalid.append(why)
                if run.traced is not None:
                    traces[side].append(run.traced.data())
                roles.update(run.roles_built)
                breakages += run.breakages
                if progress:
                    note = f" (invalid: {why})" if why else ""
                    progress(f"{self.id} {side} seed {index}/{len(seeds)}: {value:.4g}{note} "
                             f"({time.perf_counter() - start:.1f} s)")
                if stop_when_decided and self.decided_against(side, values, invalid, len(seeds)):
                    return False
            return True

        finished = measure("claim", {}) and measure("control", self.control.knobs)
        (values, invalid), (control_values, control_invalid) = (measured[s] for s in SIDES)
        return Outcome(seeds, values, control_values, time.perf_counter() - start, sorted(roles),
                       invalid, control_invalid, stopped_early=not finished, breakages=breakages,
                       traces=traces if settings.traces else None)

    def measure_seed(self, run: Run, knobs: dict[str, Any], where: str) -> tuple[float, str | None]:
        """One seed's value and, when its measurement is not valid, why. A crash on a model
        given with --arch becomes a ModelFault naming the model; on the default models it is a
        bug of the harness and propagates as it is."""
        try:
            value = float(self.experiment(run, **knobs))
        except Exception as exc:
            custom = [f"--arch {role}={run.settings.architectures.origin(role)}"
                      for role in sorted(run.roles_built)
                      if run.settings.architectures.origin(role) != "default"]
            if not custom:
                raise
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise ModelFault(f"{self.id}, {where}: the experiment failed on the model of "
                             f"{', '.join(custom)}: {type(exc).__name__}: {message}") from None
        if not math.isfinite(value) and not run.invalid:
            run.require(False, f"the measured value is {value}")
        return value, "; ".join(dict.fromkeys(run.invalid)) or None

    def successes(self, side: str, values: list[float],
                  invalid: list[str | None] | None = None) -> list[bool]:
        """Per seed: a valid value that meets the threshold (claim side) or misses it (control
        side). An invalid seed is a success on neither side."""
        reasons = invalid or [None] * len(values)
        wanted = side == "claim"
        return [why is None and meets(v, self.op, self.threshold) == wanted
                for v, why in zip(values, reasons, strict=True)]

    def decided_against(self, side: str, values: list[float], invalid: list[str | None],
                        seeds: int) -> bool:
        """Whether the rule rejects the side whatever the seeds not yet measured give."""
        hopeful = self.successes(side, values, invalid) + [True] * (seeds - len(values))
        return not self.rule.holds(hopeful)

    def holds(self, values: list[float], invalid: list[str | None] | None = None) -> bool:
        """The rule accepts the seeds whose valid value meets the threshold."""
        return self.rule.holds(self.successes("claim", values, invalid))

    def refuted_by(self, control_values: list[float],
                   invalid: list[str | None] | None = None) -> bool:
        """The rule accepts the control seeds whose valid value misses the threshold."""
        return self.rule.holds(self.successes("control", control_values, invalid))

    def passed(self, outcome: Outcome) -> bool:
        return (self.holds(outcome.values, outcome.invalid)
                and self.refuted_by(outcome.control_values, outcome.control_invalid))

    def explain(self, outcome: Outcome) -> str:
        """One paragraph saying why a claim failed, with the numbers and the invalid seeds."""
        def fmt(values: list[float]) -> str:
            return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"

        target = f"{self.metric} {self.op} {self.threshold:g} ({self.rule.describe()})"
        lines = []
        if not self.holds(outcome.values, outcome.invalid):
            lines.append(f"claim not met: {target}; measured {fmt(outcome.values)}")
        control_run = outcome.control_values or not outcome.stopped_early
        if control_run and not self.refuted_by(outcome.control_values, outcome.control_invalid):
            lines.append(f"control ({self.control.condition}) does not refute it: measured "
                         f"{fmt(outcome.control_values)}, which must miss {self.op} "
                         f"{self.threshold:g}")
        for side, reasons in zip(SIDES, (outcome.invalid, outcome.control_invalid), strict=True):
            lines += [f"invalid {side} seed {i}: {why}"
                      for i, why in enumerate(reasons, start=1) if why]
        if outcome.stopped_early:
            lines.append("stopped at the first seed that decided the verdict")
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
