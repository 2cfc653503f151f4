"""Time every claim at a scale, and the whole suite under xdist; write a Markdown table.

    python benchmarks/time_claims.py [--scale ci] [--workers auto] [--out benchmarks/RESULTS.md]

Per claim (run serially, in process, caching off): seconds (control and seeds included), training
steps taken, and the share of time spent inside `harness.train.fit` (the rest is data, model
building and measuring). Then the whole suite's wall time with `-n WORKERS` in a subprocess.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

import harness.train

ROOT = Path(__file__).resolve().parents[1]


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


def time_claims(scale: str, report: Path) -> TrainingTimer:
    timer = TrainingTimer()
    pytest.main([str(ROOT / "phenomena"), "-q", "-p", "no:xdist", "-p", "no:cacheprovider",
                 f"--scale={scale}", f"--report={report}"], plugins=[timer])
    return timer


def suite_wall_time(scale: str, workers: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "phenomena"), "-q",
                    "-p", "no:cacheprovider", "-n", workers, f"--scale={scale}"],
                   cwd=ROOT, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="ci", choices=("ci", "paper"))
    parser.add_argument("--workers", default="auto")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "claims.json"
        timer = time_claims(args.scale, report)
        rows = json.loads(report.read_text())["claims"]
    wall = suite_wall_time(args.scale, args.workers)
    lines = [
        f"Measured {date.today()} on {platform.processor() or platform.machine()}, "
        f"{platform.python_version()}, scale {args.scale}; one core per claim (serial run); "
        f"suite wall time with -n {args.workers}: {wall:.0f} s.",
        "",
        "| claim | verdict | seconds | training steps | share in training |",
        "|---|---|---|---|---|",
    ]
    total = 0.0
    for row in rows:
        seconds = row["seconds"] or 0.0
        total += seconds
        train_s, steps = timer.per_test.get(row["test"], (0.0, 0))
        share = f"{train_s / seconds:.0%}" if seconds and train_s else "-"
        lines.append(f"| `{row['id']}` | {row['verdict']} | {seconds:.1f} | {steps} | {share} |")
    lines.append(f"| **sum over claims** | | {total:.0f} | | |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
