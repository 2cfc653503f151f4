"""Merge the JSON reports of several shards (`--shard K/N` on several machines) into one report.

    python -m harness.merge merged.json shard-1.json shard-2.json ... [--report merged.md ...]

Shards that cannot make one run are refused, one line per fault: a shard whose report is missing
or unreadable, shards that disagree on what was run (scale, base seed, architectures, harness
source), a claim found in two shards, a claim the shards collected that none of them ran.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.report import WRITERS, text_table, write_report
from harness.saved import NotAReport, read_report

# What every shard must share: otherwise their rows are not one run's.
AGREED = ("scale", "base_seed", "arch", "harness_hash")


class MergeRefused(ValueError):
    """The shards do not make one run; `problems` has one line per fault."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_shards(paths: list[Path]) -> dict[str, dict[str, Any]]:
    """Each shard's report by its path; raises MergeRefused naming every unreadable one."""
    reports, problems = {}, []
    for path in paths:
        try:
            reports[str(path)] = read_report(path)
        except NotAReport as exc:
            problems.append(str(exc))
    if problems:
        raise MergeRefused(problems)
    return reports


def problems_of(reports: dict[str, dict[str, Any]]) -> list[str]:
    """One line per fault that keeps the shards (path -> report) from being one run."""
    problems = []
    for field in AGREED:
        seen = {name: report["environment"].get(field) for name, report in reports.items()}
        if len({repr(value) for value in seen.values()}) > 1:
            problems.append(f"shards disagree on {field}: " + ", ".join(
                f"{value!r} in {name}" for name, value in seen.items()))
    found: dict[str, str] = {}
    for name, report in reports.items():
        for row in report["claims"]:
            if row["id"] in found:
                problems.append(f"claim {row['id']} is in two shards: {found[row['id']]} "
                                f"and {name}")
            found.setdefault(row["id"], name)
    collected = {claim_id for report in reports.values()
                 for claim_id in report["environment"].get("collected") or ()}
    problems += [f"claim {claim_id} was collected but is in no shard (a shard missing, "
                 f"or interrupted)" for claim_id in sorted(collected - set(found))]
    return problems


def merge(reports: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One environment and the union of claims, sorted by id; raises MergeRefused when the
    shards (path -> report) do not make one run."""
    problems = problems_of(reports)
    if problems:
        raise MergeRefused(problems)
    environments = [report["environment"] for report in reports.values()]
    environment = {**environments[0], "shard": None,
                   "merged_shards": [env.get("shard") for env in environments]}
    if any(env.get("incomplete") for env in environments):
        environment["incomplete"] = next(env["incomplete"] for env in environments
                                         if env.get("incomplete"))
    rows = [row for report in reports.values() for row in report["claims"]]
    return environment, sorted(rows, key=lambda row: row["id"])


def merge_files(paths: list[Path], outputs: list[Path]) -> list[dict[str, Any]]:
    """Merge the shards' reports at `paths` and write the merged report to each output (format
    by extension); the merged rows. Raises MergeRefused."""
    environment, rows = merge(read_shards(paths))
    for path in outputs:
        write_report(path, environment, rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.merge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path, help="merged report (.json, .md, .tex or .csv)")
    parser.add_argument("shards", type=Path, nargs="+", help="the shards' JSON reports")
    parser.add_argument("--report", type=Path, action="append", default=[],
                        help="further formats of the merged report (repeatable)")
    args = parser.parse_args(argv)
    for path in [args.output, *args.report]:
        if path.suffix not in WRITERS:
            parser.error(f"{path}: unknown format {path.suffix!r}; allowed: {', '.join(WRITERS)}")
    try:
        rows = merge_files(args.shards, [args.output, *args.report])
    except MergeRefused as refused:
        for problem in refused.problems:
            print(f"python -m harness.merge: {problem}", file=sys.stderr)
        return 2
    print(text_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
