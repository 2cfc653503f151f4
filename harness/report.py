"""The report: claim rows gathered from every worker, written as a terminal table and as files.

A row is a claim's declaration (`Claim.describe`) plus what the run measured and the verdict.
Storage (the rows) is kept apart from display (the writers), as pytest-benchmark does.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.compare import change_text
from harness.references import BIB_PATH

Row = dict[str, Any]

VERDICTS = ("pass", "fail", "xfail", "error", "skip")


def fmt_value(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.3g}"


INVALID_MARK = "!"


def summarize(values: Sequence[float], invalid: Sequence[str | None] | None = None) -> str:
    """All values when few (an invalid measurement marked with '!'), else median and range
    (and how many were invalid)."""
    if not values:
        return "-"
    reasons = list(invalid or [])
    reasons += [None] * (len(values) - len(reasons))
    if len(values) <= 4:
        return " ".join(fmt_value(v) + (INVALID_MARK if why else "")
                        for v, why in zip(values, reasons, strict=True))
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    bad = sum(why is not None for why in reasons)
    return (f"{fmt_value(median)} [{fmt_value(ordered[0])}, {fmt_value(ordered[-1])}]"
            + (f" ({bad} invalid)" if bad else ""))


def claim_values(row: Row) -> str:
    return summarize(row.get("values", []), row.get("invalid"))


def control_values(row: Row) -> str:
    control = row.get("control", {})
    return summarize(control.get("values", []), control.get("invalid"))


def invalid_lines(row: Row) -> list[str]:
    """'claim seed 2: why' for every invalid measurement of the row."""
    sides = (("claim", row.get("invalid") or []),
             ("control", row.get("control", {}).get("invalid") or []))
    return [f"{row['id']}: {side} seed {i}: {why}"
            for side, reasons in sides for i, why in enumerate(reasons, start=1) if why]


def seconds_text(row: Row) -> str:
    if row.get("seconds") is None:
        return "-"
    return f"{row['seconds']:.1f}" + (" (cached)" if row.get("cached") else "")


def first_line(text: str, limit: int = 90) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def table_cells(row: Row, with_baseline: bool) -> list[str]:
    values = row.get("skip_reason") or claim_values(row)
    if row["verdict"] == "error" and row.get("reason"):
        values = first_line(row["reason"])
    cells = [
        row["id"],
        row["verdict"],
        f"{row['op']} {row['threshold']:g}",
        values,
        control_values(row),
        seconds_text(row),
    ]
    return cells + [change_text(row)] if with_baseline else cells


HEADER = ["claim", "verdict", "holds if", "values", "control values", "s"]


def text_table(rows: Sequence[Row]) -> str:
    """The aligned table the terminal ends with (with a baseline column after --compare)."""
    with_baseline = any("baseline" in r for r in rows)
    header = HEADER + ["vs baseline"] if with_baseline else HEADER
    cells = [header] + [table_cells(r, with_baseline) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    lines.append(", ".join(f"{n} {v}" for v, n in counts.items() if n))
    invalid = [line for r in rows for line in invalid_lines(r)]
    if invalid:
        lines += [f"{INVALID_MARK} invalid measurements (they count against the claim on both "
                  "sides):"] + [f"  {line}" for line in invalid]
    return "\n".join(lines)


def to_json(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    return json.dumps({"environment": environment, "claims": list(rows)}, indent=2,
                      allow_nan=True) + "\n"


def to_markdown(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    head = ["claim", "verdict", "holds if", "values", "control", "control values", "rule",
            "source"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"`{r['id']}`", r["verdict"], f"{r['metric']} {r['op']} {r['threshold']:g}",
                 claim_values(r), r["control"]["condition"], control_values(r), r["rule"],
                 r["source"]]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    invalid = [f"- {line}" for r in rows for line in invalid_lines(r)]
    if invalid:
        lines += ["", f"Invalid measurements (marked {INVALID_MARK}; they count against the claim "
                      "on both sides):", ""] + invalid
    env = ", ".join(f"{k} {v}" for k, v in environment.items())
    return f"# Phenomena claims\n\n{env}\n\n" + "\n".join(lines) + "\n"


LATEX_SPECIALS = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in text)


def to_latex(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    """A booktabs `tabular` to paste into a paper, each claim cited by its BibTeX key."""
    ops = {">": "$>$", ">=": r"$\geq$", "<": "$<$", "<=": r"$\leq$"}
    lines = [r"\begin{tabular}{llllll}", r"\toprule",
             r"Claim & Source & Holds if & Values & Control & Verdict \\", r"\midrule"]
    for r in rows:
        cells = [r"\texttt{" + latex_escape(r["id"]) + "}",
                 r"\cite{" + ",".join(r.get("references") or [r["reference"]]) + "}",
                 f"{ops[r['op']]} {r['threshold']:g}",
                 latex_escape(claim_values(r)),
                 latex_escape(control_values(r)),
                 r["verdict"]]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    caption = (f"% scale {environment.get('scale')}, base seed {environment.get('base_seed')}, "
               f"device {environment.get('device')}, torch {environment.get('torch')}")
    return caption + "\n" + "\n".join(lines) + "\n"


def to_csv(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "family", "verdict", "metric", "op", "threshold", "rule", "values",
                     "control_condition", "control_values", "seconds", "source", "arch",
                     "invalid"])
    for r in rows:
        writer.writerow([r["id"], r["family"], r["verdict"], r["metric"], r["op"], r["threshold"],
                         r["rule"], ";".join(map(repr, r.get("values", []))),
                         r["control"]["condition"],
                         ";".join(map(repr, r["control"].get("values", []))),
                         r.get("seconds"), r["source"],
                         ";".join(f"{k}={v}" for k, v in (r.get("arch") or {}).items()),
                         " | ".join(invalid_lines(r))])
    return out.getvalue()


WRITERS: dict[str, Callable[[dict[str, Any], Sequence[Row]], str]] = {
    ".json": to_json, ".md": to_markdown, ".tex": to_latex, ".csv": to_csv,
}


def write_report(path: Path, environment: dict[str, Any], rows: Sequence[Row]) -> None:
    """Write one report file; a LaTeX table gets the shipped references.bib next to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(WRITERS[path.suffix](environment, rows))
    if path.suffix == ".tex":
        path.with_name("references.bib").write_text(BIB_PATH.read_text())
