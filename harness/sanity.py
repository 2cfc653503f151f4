"""Run the claims against degenerate models (harness/degenerate.py): no claim may pass on them.

    python -m harness.sanity [--breakage blind ...] [--workers N] [--out DIR] [-- PYTEST ARGS]

For each breakage, the suite runs once with every role's factory replaced by its broken one
(`--stop-when-decided`, so a claim stops at its first seed that decides the verdict against
it), and the table gives each claim's verdict per breakage: `no model` where the claim builds
none (nothing to break), `refused` where the contract of every role it builds refuses that
breakage at load, `never broke` where its models never reached the step at which the breakage
begins (a claim that solves in closed form is not trained: frozen or NaN training is its
healthy model). A claim passes the check when no broken model passes it; the command exits
1 if any does. Pytest arguments after `--` select
claims (`-k ...`) or set options (`--base-seed 1`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from harness.degenerate import BREAKAGES, arch_options

SUITE = str(Path(__file__).resolve().parent.parent / "phenomena")
HELD = {"pass", "xpass"}  # the verdicts of a claim that held, whether or not it was marked xfail


def run_breakage(breakage: str, out: Path, workers: int, pytest_args: list[str]) -> dict:
    """The claim rows of one suite run with every role broken the same way."""
    report = out / f"{breakage}.json"
    command = [sys.executable, "-m", "pytest", SUITE, "-q", "-p", "no:cacheprovider",
               "--stop-when-decided", *arch_options(breakage), f"--report={report}",
               *(["-n", str(workers)] if workers > 1 else []), *pytest_args]
    subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
    if not report.is_file():
        raise SystemExit(f"harness.sanity: the run with the {breakage!r} models wrote no report "
                         f"(rerun: {' '.join(command)})")
    return {row["id"]: row for row in json.loads(report.read_text())["claims"]}


def cell(row: dict | None) -> str:
    """The verdict of a claim under one breakage, or why no broken model entered it."""
    if row is None:
        return "-"
    if not row.get("arch") and row["verdict"] in HELD:
        return "no model"
    if row.get("arch") and not any(origin.startswith("harness.degenerate:")
                                   for origin in row["arch"].values()):
        return "refused"
    if row["verdict"] in HELD and row.get("breakages") == 0:
        return "never broke"
    return row["verdict"]


def table(results: dict[str, dict[str, dict]]) -> tuple[str, list[str]]:
    """A Markdown table, claim by breakage, and the claims some broken model passed."""
    breakages = list(results)
    claims = sorted({claim_id for rows in results.values() for claim_id in rows})
    lines = ["| claim | " + " | ".join(breakages) + " | broken models fail it |",
             "|---|" + "---|" * (len(breakages) + 1)]
    passed_by_broken = []
    for claim_id in claims:
        verdicts = [cell(results[b].get(claim_id)) for b in breakages]
        ok = not HELD.intersection(verdicts)
        if not ok:
            passed_by_broken.append(claim_id)
        lines.append(f"| `{claim_id}` | " + " | ".join(verdicts) + f" | {'yes' if ok else 'NO'} |")
    return "\n".join(lines), passed_by_broken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.sanity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--breakage", action="append", choices=BREAKAGES,
                        help="a breakage to run (repeatable; default: all)")
    parser.add_argument("--workers", type=int, default=1, help="pytest-xdist workers (-n)")
    parser.add_argument("--out", type=Path, default=Path("sanity"),
                        help="folder for each breakage's JSON report (default: sanity/)")
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    results = {b: run_breakage(b, args.out, args.workers, args.pytest_args)
               for b in args.breakage or BREAKAGES}
    text, passed_by_broken = table(results)
    print(text)
    (args.out / "sanity.md").write_text(text + "\n")
    if passed_by_broken:
        print(f"broken models pass: {', '.join(passed_by_broken)}")
    return 1 if passed_by_broken else 0


if __name__ == "__main__":
    sys.exit(main())
