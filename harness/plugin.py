"""The pytest plugin: options, the settings fixture, claim collection, and the claims report.

Registered through the `pytest11` entry point, so an installed package gives every project the
options. torch is imported only once claims are collected or an option needs it, so unrelated
pytest runs in the same environment pay nothing.
"""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.report import WRITERS, text_table, write_report

SCALES = ("ci", "paper")
DEVICES = ("auto", "cpu", "cuda")
CLAIM_KEY = "phenomena.claim"
OUTCOME_KEY = "phenomena.outcome"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("phenomena", "phenomena claims")
    group.addoption("--scale", choices=SCALES, default="ci",
                    help="budgets: ci (default; CPUs and CI) or paper (wider, longer, more seeds)")
    group.addoption("--base-seed", type=int, default=0, metavar="N",
                    help="every random number of every claim derives from it (default 0)")
    group.addoption("--device", choices=DEVICES, default="auto",
                    help="auto (CUDA when present), cpu or cuda; xdist workers round-robin GPUs")
    group.addoption("--arch", action="append", default=[], metavar="ROLE=module:callable",
                    help="replace the model factory of a role (repeatable)")
    group.addoption("--report", action="append", default=[], metavar="PATH",
                    help="write the claims report; format by extension: "
                         + ", ".join(WRITERS) + " (repeatable)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "claim: a phenomena claim (added by the plugin)")
    config.pluginmanager.register(ClaimLog(config), "phenomena-claim-log")
    for path in config.getoption("report"):
        if Path(path).suffix not in WRITERS:
            raise pytest.UsageError(f"--report {path}: unknown format {Path(path).suffix!r}; "
                                    f"allowed: {', '.join(WRITERS)}")
    if config.getoption("arch"):
        architectures_from(config)
    if config.getoption("device") == "cuda":
        resolve_device(config)


def architectures_from(config: pytest.Config):
    from harness.roles import ArchitectureError, Architectures

    try:
        return Architectures.from_options(config.getoption("arch"))
    except ArchitectureError as exc:
        raise pytest.UsageError(f"--arch: {exc}") from None


def worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


def resolve_device(config: pytest.Config):
    """The device of this process: xdist worker k takes visible GPU k mod count."""
    import torch

    choice = config.getoption("device")
    if choice == "cpu" or (choice == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise pytest.UsageError("--device cuda: CUDA is not available here; "
                                "allowed: auto, cpu (or install a CUDA build of torch)")
    return torch.device("cuda", worker_index() % torch.cuda.device_count())


@pytest.fixture(scope="session")
def phenomena_settings(pytestconfig: pytest.Config):
    """The session's settings for claims. Claims run single-threaded on the CPU: tiny models gain
    nothing from threads, xdist workers do not oversubscribe cores, and results are bit-identical
    whatever the worker count."""
    import torch

    from harness.run import Settings

    torch.set_num_threads(1)
    return Settings(scale=pytestconfig.getoption("scale"),
                    base_seed=pytestconfig.getoption("base_seed"),
                    device=resolve_device(pytestconfig),
                    architectures=architectures_from(pytestconfig))


def claim_test(claim):
    """The pytest test function that evaluates `claim` and records what it measured."""
    from harness.claims import ClaimNotMet

    def run_claim(phenomena_settings, record_property) -> None:
        outcome = claim.evaluate(phenomena_settings)
        arch = {role: phenomena_settings.architectures.origin(role) for role in outcome.roles}
        record_property(OUTCOME_KEY, {
            "seeds": outcome.seeds,
            "values": outcome.values,
            "control_values": outcome.control_values,
            "seconds": round(outcome.seconds, 3),
            "arch": arch,
        })
        if not outcome.passed:
            raise ClaimNotMet(claim.explain(outcome))

    run_claim.__doc__ = claim.statement
    return run_claim


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name: str, obj: object):
    if not getattr(obj, "is_phenomena_claim", False):
        return None
    from harness.claims import ClaimNotMet

    item = pytest.Function.from_parent(collector, name=name, callobj=claim_test(obj))
    item.add_marker(pytest.mark.claim)
    if obj.xfail:
        item.add_marker(pytest.mark.xfail(reason=obj.xfail, raises=ClaimNotMet, strict=False))
    item.user_properties.append((CLAIM_KEY, obj.describe()))
    return [item]


def verdict_of(report: pytest.TestReport, measured: bool) -> str | None:
    """The claim's verdict from one phase's report; None when the phase decides nothing."""
    if report.when == "setup" and report.passed:
        return None
    if report.skipped:
        return "xfail" if hasattr(report, "wasxfail") else "skip"
    if report.failed:
        return "fail" if report.when == "call" and measured else "error"
    return "pass" if report.when == "call" else None


class ClaimLog:
    """Gathers claim rows on the controller (xdist ships user_properties with each report) and
    writes the table and the report files at the end of the session."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.rows: dict[str, dict[str, Any]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if CLAIM_KEY not in properties:
            return
        declared = properties[CLAIM_KEY]
        row = self.rows.setdefault(report.nodeid, {
            **declared,
            "seeds": [], "values": [],
            "control": {**declared["control"], "values": []},
            "verdict": "error", "seconds": None, "arch": {},
        })
        measured = properties.get(OUTCOME_KEY)
        if measured:
            row.update(seeds=measured["seeds"], values=measured["values"],
                       seconds=measured["seconds"], arch=measured["arch"])
            row["control"]["values"] = measured["control_values"]
        verdict = verdict_of(report, measured is not None)
        if verdict and (report.when != "teardown" or verdict == "error"):
            row["verdict"] = verdict

    def sorted_rows(self) -> list[dict[str, Any]]:
        return sorted(self.rows.values(), key=lambda row: row["id"])

    def pytest_sessionfinish(self) -> None:
        if hasattr(self.config, "workerinput") or not self.config.getoption("report"):
            return
        env, rows = environment(self.config), self.sorted_rows()
        for path in self.config.getoption("report"):
            write_report(Path(path), env, rows)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        rows = self.sorted_rows()
        if not rows:
            return
        terminalreporter.write_sep("=", "phenomena claims")
        terminalreporter.write_line(text_table(rows))
        for path in self.config.getoption("report"):
            terminalreporter.write_line(f"report written: {path}")


def environment(config: pytest.Config) -> dict[str, Any]:
    import numpy
    import scipy
    import torch

    device = config.getoption("device")
    if device != "cpu" and torch.cuda.is_available():
        device = f"cuda ({torch.cuda.device_count()} visible, {torch.cuda.get_device_name(0)})"
    return {
        "scale": config.getoption("scale"),
        "base_seed": config.getoption("base_seed"),
        "device": "cpu" if device in ("auto", "cpu") else device,
        "arch": config.getoption("arch"),
        "workers": config.getoption("numprocesses", None) or 0,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "command": " ".join(sys.argv[1:]),
    }
