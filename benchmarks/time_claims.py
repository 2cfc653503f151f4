"""Time every claim at a scale, and the whole suite under xdist; write a Markdown table.

    python benchmarks/time_claims.py [--scale ci] [--workers auto] [--out benchmarks/RESULTS.md]
        [--budget-reference SECONDS] [-- PYTEST_ARGS...]

First the reference workload (benchmarks/reference.py, median of 3), then per claim (run
serially, in process, caching off): seconds (control and seeds included), the same in reference
units (claim seconds / reference seconds: a cost that compares across machines), training steps
taken, and the share of time spent inside `harness.train.fit` (the rest is data, model building
and measuring). Then the suite's wall time with `-n WORKERS` in a subprocess, and the wall-time
ratio wall x workers / serial sum (1 when the workers share the work perfectly; above it, worker
start-up, collection and imbalance). Arguments after `--` go to both pytest runs, e.g.
`-- -k small_init_condenses` to time one claim. `--workers 0` skips the parallel run.

The per-claim budget is 60 s on the slower CI machine kind: 60 / its reference seconds units.
`--budget-reference` gives that machine's reference seconds; without it, this machine's are used
(right when this is that machine; elsewhere it only says what 60 s is here).
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
import torch

import harness.train

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from reference import BUDGET_SECONDS, budget_units, describe, reference_seconds  # noqa: E402


class TrainingTimer:
    """A pytest plugin that wraps harness.train.fit to add up its time and steps per test."""

    def __init__(self):
        self.per_test: dict[str, tuple[float, int]] = {}
        self.seconds, self.steps = 0.0, 0
        original = harness.train.fit

        def timed_fit(*args, **kwargs):
            start = time.perf_counter()
            steps = original(*args, **kwargs)
            self.seconds += time.perf_counter() - start
            self.steps += steps
            return steps

        harness.train.fit = timed_fit

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        self.seconds, self.steps = 0.0, 0
        yield
        self.per_test[item.nodeid] = (self.seconds, self.steps)


def time_claims(scale: str, report: Path, pytest_args: list[str]) -> TrainingTimer:
    timer = TrainingTimer()
    pytest.main([str(ROOT / "phenomena"), "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                 f"--scale={scale}", f"--report={report}", *pytest_args], plugins=[timer])
    return timer


def suite_wall_time(scale: str, workers: str, pytest_args: list[str],
                    report: Path) -> tuple[float, int | None]:
    """Wall seconds of the suite under `-n workers`, and how many workers xdist started (as the
    run's report records them; None if it wrote none)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "phenomena"), "-q",
                           "-p", "no:cacheprovider", "-n", workers, f"--scale={scale}",
                           f"--report={report}", *pytest_args],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: a claim failed, and the timing still stands
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
    try:
        started = json.loads(report.read_text())["environment"]["workers"]
    except (OSError, ValueError, KeyError, TypeError):
        started = None
    return wall, started if isinstance(started, int) else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="ci", choices=("ci", "paper"))
    parser.add_argument("--workers", default="auto", help="-n for the parallel run; 0 skips it")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    parser.add_argument("--budget-reference", type=float, metavar="SECONDS",
                        help="the reference workload's seconds on the slower CI machine kind "
                             "(default: this machine's)")
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS",
                        help="passed to both pytest runs, e.g. -- -k small_init_condenses")
    args = parser.parse_args()
    reference_s, reference_runs = reference_seconds()
    print(describe(reference_s, reference_runs), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "claims.json"
        timer = time_claims(args.scale, report, args.pytest_args)
        rows = json.loads(report.read_text())["claims"]
        if args.workers != "0":
            wall, workers = suite_wall_time(args.scale, args.workers, args.pytest_args,
                                            Path(tmp) / "parallel.json")
    total = sum(row["seconds"] or 0.0 for row in rows)
    budget_reference = args.budget_reference or reference_s
    budget = budget_units(budget_reference)
    selected = f" (pytest {shlex.join(args.pytest_args)})" if args.pytest_args else ""
    lines = [
        f"Measured {date.today()} on {platform.processor() or platform.machine()}, "
        f"{platform.python_version()}, torch {torch.__version__}, scale {args.scale}{selected}; "
        f"one core per claim (serial run).",
        "",
        f"Reference workload (`benchmarks/reference.py`): {reference_s:.3f} s here (median of "
        f"{len(reference_runs)}); a unit is that time. Per-claim budget: "
        f"{BUDGET_SECONDS:.0f} s on the slower CI machine kind = {budget:.0f} units "
        f"({BUDGET_SECONDS:.0f} / {budget_reference:.3f} s, "
        + ("that machine's reference seconds)." if args.budget_reference else
           "this machine's reference seconds: right if this is that machine)."),
    ]
    if args.workers != "0":
        ratio = (f"; wall x workers / serial sum = {wall:.1f} x {workers} / {total:.1f} = "
                 f"{wall * workers / total:.2f}" if workers and workers > 1 and total else "")
        lines += ["", f"Suite wall time with -n {args.workers}: {wall:.0f} s{ratio}."]
    lines += [
        "",
        "| claim | verdict | seconds | units | training steps | share in training |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        seconds = row["seconds"] or 0.0
        train_s, steps = timer.per_test.get(row["test"], (0.0, 0))
        share = f"{train_s / seconds:.0%}" if seconds and train_s else "-"
        lines.append(f"| `{row['id']}` | {row['verdict']} | {seconds:.1f} | "
                     f"{seconds / reference_s:.1f} | {steps} | {share} |")
    lines.append(f"| **sum over claims** | | {total:.0f} | {total / reference_s:.0f} | | |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
