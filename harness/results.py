"""Gathering claim rows on the controller and handing them to the writers at the end."""

from __future__ import annotations

import importlib.util
import platform
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.cache import harness_sources, source_hash
from harness.compare import compare_to_baseline
from harness.report import text_table, write_report

CLAIM_KEY = "phenomena.claim"
OUTCOME_KEY = "phenomena.outcome"
REASON_KEY = "phenomena.reason"
COLLECTED_KEY = pytest.StashKey[list]()  # the claim ids collected, before --shard kept some
INCOMPLETE = ("the run was interrupted: the report holds the claims that finished; a rerun "
              "replays them from the cache and runs the rest")


def verdict_of(report: pytest.TestReport, measured: bool) -> str | None:
    """The claim's verdict from one phase's report; None when the phase decides nothing."""
    if report.when == "setup" and report.passed:
        return None
    if report.skipped:
        return "xfail" if hasattr(report, "wasxfail") else "skip"
    if report.failed:
        return "fail" if report.when == "call" and measured else "error"
    if report.when != "call":
        return None
    return "xpass" if hasattr(report, "wasxfail") else "pass"  # xpass: held, though marked xfail


def skip_reason(report: pytest.TestReport) -> str | None:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return None


class ClaimLog:
    """Gathers claim rows on the controller (xdist ships user_properties with each report) and
    writes the table, the report files and the plots at the end of the session. A claim's
    figure is drawn as the claim finishes, while the workers run the rest: the files of --plots
    appear as claims end (an interrupted run keeps them), and the writers at the end reuse the
    drawings rather than draw every figure on one core after the last claim."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.rows: dict[str, dict[str, Any]] = {}
        wanted = bool(config.getoption("plots")) or (
            any(Path(path).suffix == ".html" for path in config.getoption("report"))
            and importlib.util.find_spec("matplotlib") is not None)
        self.draws = wanted and not hasattr(config, "workerinput")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        if CLAIM_KEY not in properties:
            return
        declared = properties[CLAIM_KEY]
        row = self.rows.setdefault(report.nodeid, {
            **declared,
            "test": report.nodeid,
            "seeds": [], "values": [], "invalid": [],
            "control": {**declared["control"], "values": [], "invalid": []},
            "verdict": None, "seconds": None, "arch": {}, "cached": False,
        })
        measured = properties.get(OUTCOME_KEY)
        if measured:
            row.update(seeds=measured["seeds"], values=measured["values"],
                       invalid=measured["invalid"], seconds=measured["seconds"],
                       arch=measured["arch"], cached=measured["cached"],
                       stopped_early=measured["stopped_early"],
                       breakages=measured["breakages"], provenance=measured["provenance"])
            if measured["traces"] is not None:
                row["traces"] = measured["traces"]
            row["control"].update(values=measured["control_values"],
                                  invalid=measured["control_invalid"])
        if REASON_KEY in properties:
            row["reason"] = properties[REASON_KEY]
        verdict = verdict_of(report, measured is not None)
        if verdict and (report.when != "teardown" or verdict == "error"):
            row["verdict"] = verdict
            if verdict == "skip":
                row["skip_reason"] = skip_reason(report)
        if report.when == "teardown" and row["verdict"] and self.draws:
            self.draw(row)

    def draw(self, row: dict[str, Any]) -> None:
        from harness.plots import has_evidence, rendered, write_plots

        plots = self.config.getoption("plots")
        if plots:
            write_plots(Path(plots), [row])
        elif has_evidence(row):
            rendered(row)

    def sorted_rows(self) -> list[dict[str, Any]]:
        """The rows of the claims that finished (an interrupted claim has no verdict)."""
        rows = sorted((row for row in self.rows.values() if row["verdict"]),
                      key=lambda row: row["id"])
        baseline = self.config.getoption("compare")
        return compare_to_baseline(rows, Path(baseline)) if baseline else rows

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        """Write the report of what finished, also when the run was interrupted (Ctrl-C, a
        pre-emption): then marked incomplete. The finished claims are cached, so a rerun
        computes only the rest."""
        if hasattr(self.config, "workerinput") or not self.rows:
            return
        env, rows = environment(self.config), self.sorted_rows()
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            env["incomplete"] = INCOMPLETE
        for path in self.config.getoption("report"):
            write_report(Path(path), env, rows)
        if self.config.getoption("plots"):
            from harness.plots import write_plots

            write_plots(Path(self.config.getoption("plots")), rows)

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int) -> None:
        rows = self.sorted_rows()
        if not rows:
            return
        terminalreporter.write_sep("=", "phenomena claims")
        terminalreporter.write_line(text_table(rows))
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            terminalreporter.write_line(INCOMPLETE)
        for path in self.config.getoption("report"):
            terminalreporter.write_line(f"report written: {path}")
        if self.config.getoption("plots"):
            terminalreporter.write_line(f"plots written: {self.config.getoption('plots')}/")


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
        "shard": config.getoption("shard"),
        "workers": config.getoption("numprocesses", None) or 0,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "platform": platform.platform(),
        "command": " ".join(sys.argv[1:]),
        "harness_hash": source_hash(*harness_sources())[:16],
        # under xdist, as a worker collected them (plugin.pytest_testnodedown)
        "collected": config.stash.get(COLLECTED_KEY, None),
    }
