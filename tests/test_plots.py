"""Figures from report rows: curves of claim and control beside the verdict panel, PNG and PDF at
a paper's width, drawn once per claim as it finishes, redrawn from a saved report by
`python -m harness.plots`."""

import copy
import json
import struct
import subprocess
import sys

import pytest

pytest.importorskip("matplotlib")

from harness.plots import rendered, write_plots  # noqa: E402


def seed_traces(rate: float, length: int = 50) -> dict:
    steps = list(range(0, 10 * length, 10))
    return {"curves": {"test accuracy": {"x": steps, "y": [min(1.0, rate * s) for s in steps],
                                         "x_label": "step", "level": 0.95}},
            "arrays": {"spectrum": [1.0, 0.5, None, 0.25],
                       "map": [[0.0, 1.0], [1.0, 0.0]]}}


def traced_row(claim_id: str = "toy/curves") -> dict:
    return {
        "id": claim_id, "family": claim_id.split("/")[0], "statement": "s",
        "source": "Someone 2020", "reference": "xu2019frequency",
        "metric": "steps to test accuracy 0.95", "op": ">", "threshold": 5.0,
        "rule": "holds in every seed", "seeds": [1, 2, 3], "values": [6.0, 7.0, 8.0],
        "invalid": [None, None, "did not fit"], "verdict": "pass",
        "control": {"condition": "no weight decay", "values": [1.0, 2.0, 1.5],
                    "invalid": [None, None, None]},
        "traces": {"claim": [seed_traces(r) for r in (0.001, 0.002, 0.003)],
                   "control": [seed_traces(r, 20) for r in (0.01, 0.02, 0.03)]},
    }


def png_width(path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_a_figure_per_claim_at_paper_widths(tmp_path):
    untraced = {**traced_row("toy/values-only"), "traces": None}
    skipped = {**traced_row("toy/skipped"), "values": [], "verdict": "skip",
               "control": {"condition": "c", "values": []}, "traces": None}
    write_plots(tmp_path, [traced_row(), untraced, skipped])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "toy__curves.pdf", "toy__curves.png", "toy__values-only.pdf", "toy__values-only.png"]
    assert png_width(tmp_path / "toy__curves.png") == 7 * 150
    assert png_width(tmp_path / "toy__values-only.png") == round(3.3 * 150)
    assert (tmp_path / "toy__curves.pdf").read_bytes()[:4] == b"%PDF"


def test_redrawn_from_a_saved_report_and_a_bad_file_is_one_line(tmp_path):
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps({"environment": {}, "claims": [traced_row()]}))
    done = subprocess.run([sys.executable, "-m", "harness.plots", str(saved), str(tmp_path / "f")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "f" / "toy__curves.png").is_file()
    bad = tmp_path / "bad.json"
    bad.write_text('{"environment": {}, "claims": [{"id": "a", ')
    refused = subprocess.run([sys.executable, "-m", "harness.plots", str(bad), str(tmp_path)],
                             capture_output=True, text=True)
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"python -m harness.plots: {bad}: not JSON")


def test_a_figure_is_drawn_once_for_every_writer():
    row = traced_row()
    assert rendered(row) is rendered({**copy.deepcopy(row), "baseline": None})
    assert rendered(row) is not rendered({**row, "values": [6.0, 7.0, 9.0]})


AFTER_THE_CLAIM = """
from pathlib import Path

def test_after_the_claim(request):
    assert (Path(request.config.getoption("plots")) / "toy__traced.png").is_file()
"""


def test_a_claims_figure_is_on_disk_as_soon_as_the_claim_ends(pytester):
    """So an interrupted run keeps the figures of what finished, and the controller has no
    figures left to draw after the last claim."""
    from test_traces import TRACED_CLAIMS

    pytester.makepyfile(test_toy=TRACED_CLAIMS + AFTER_THE_CLAIM)
    result = pytester.runpytest_subprocess("-p", "no:randomly", f"--plots={pytester.path / 'f'}")
    result.assert_outcomes(passed=2)
