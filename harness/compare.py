"""Comparison with a saved report: which verdicts flipped and how each measured value moved."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from harness.saved import read_report

Row = dict[str, Any]


def load_rows(path: Path) -> dict[str, Row]:
    return {row["id"]: row for row in read_report(path)["claims"]}


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def compare_to_baseline(rows: list[Row], path: Path) -> list[Row]:
    """Rows with a `baseline` field: its verdict, whether ours flipped, the change of the median
    value of the claim and of its control."""
    baseline = load_rows(path)
    compared = []
    for row in rows:
        old = baseline.get(row["id"])
        entry = None
        if old is not None:
            entry = {
                "verdict": old["verdict"],
                "flipped": old["verdict"] != row["verdict"],
                "median_change": difference(median(row["values"]), median(old["values"])),
                "control_median_change": difference(median(row["control"]["values"]),
                                                    median(old["control"]["values"])),
            }
        compared.append({**row, "baseline": entry})
    return compared


def difference(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old


def change_text(row: Row) -> str:
    """'pass -> fail, median +0.12' / '= , median -0.003' / 'new'."""
    entry = row.get("baseline")
    if entry is None:
        return "new"
    verdict = f"{entry['verdict']} -> {row['verdict']}" if entry["flipped"] else "="
    change = entry["median_change"]
    return verdict if change is None else f"{verdict}, median {change:+.3g}"
