"""Merge the JSON reports of several shards (`--shard K/N` on several machines) into one report.

    python -m harness.merge merged.json shard-1.json shard-2.json ... [--report merged.md ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.report import WRITERS, text_table, write_report
from harness.saved import read_report


def merge(reports: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One environment and the union of claims; a claim reported twice is an error."""
    rows: dict[str, dict[str, Any]] = {}
    for report in reports:
        for row in report["claims"]:
            if row["id"] in rows:
                raise ValueError(f"claim {row['id']} appears in more than one shard")
            rows[row["id"]] = row
    environment = {**reports[0]["environment"], "shard": None,
                   "merged_shards": [r["environment"].get("shard") for r in reports]}
    return environment, sorted(rows.values(), key=lambda row: row["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.merge", description=__doc__)
    parser.add_argument("output", type=Path, help="merged report (.json, .md, .tex or .csv)")
    parser.add_argument("shards", type=Path, nargs="+", help="the shards' JSON reports")
    parser.add_argument("--report", type=Path, action="append", default=[],
                        help="further formats of the merged report (repeatable)")
    args = parser.parse_args(argv)
    for path in [args.output, *args.report]:
        if path.suffix not in WRITERS:
            parser.error(f"{path}: unknown format {path.suffix!r}; allowed: {', '.join(WRITERS)}")
    try:
        environment, rows = merge([read_report(p) for p in args.shards])
    except ValueError as exc:  # one line: a shard that is not a report, a claim in two shards
        print(f"python -m harness.merge: {exc}", file=sys.stderr)
        return 2
    for path in [args.output, *args.report]:
        write_report(path, environment, rows)
    print(text_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
