"""The report: claim rows gathered from every worker, written as a terminal table and as files.

A row is a claim's declaration (`Claim.describe`) plus what the run measured and the verdict.
Storage (the rows) is kept apart from display (the writers), as pytest-benchmark does.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.cells import (
    INVALID_MARK,
    VERDICTS,
    claim_values,
    control_values,
    first_line,
    fmt_value,
    invalid_lines,
    seconds_text,
)
from harness.compare import change_text
from harness.references import BIB_PATH

Row = dict[str, Any]

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


def json_text(value: Any, depth: int = 0) -> str:
    """Indented JSON whose lists of plain numbers or strings (values, a trace's points) stay on
    one line: a suite's traces would otherwise take a line per number."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k))}: {json_text(v, depth + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)) and any(isinstance(v, (dict, list, tuple))
                                               for v in value):
        items = [inner + json_text(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, allow_nan=True)


def to_json(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    return json_text({"environment": environment, "claims": list(rows)}) + "\n"


def to_markdown(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    head = ["claim", "verdict", "holds if", "values", "control", "control values", "rule",
            "source", "paper reports"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"`{r['id']}`", r["verdict"], f"{r['metric']} {r['op']} {r['threshold']:g}",
                 claim_values(r), r["control"]["condition"], control_values(r), r["rule"],
                 r["source"], r.get("paper_value") or "-"]
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


DIGIT_NAMES = ("Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")
MACRO_FIELDS = ("Median", "Range", "ControlMedian", "Verdict", "Caption")


def macro_stem(claim_id: str) -> str:
    """A claim id as a LaTeX macro name (letters only): 'ph', then each word of the id (split at
    '/', '-', '_', anything not a letter or digit) capitalised, digits spelled out:
    'double-descent/interpolation-peak' -> 'phDoubleDescentInterpolationPeak', 'a/l2-bias' ->
    'phALTwoBias'. Suffixes name the value: ...Median, ...Range, ...ControlMedian, ...Verdict,
    ...Caption."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", claim_id) if w]
    spelled = [re.sub(r"[0-9]", lambda m: DIGIT_NAMES[int(m[0])], w) for w in words]
    return "ph" + "".join(w[0].upper() + w[1:] for w in spelled)


def comparable(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and not math.isnan(v)]


def median_text(values: Sequence[float]) -> str:
    shown = comparable(values)
    return fmt_value(statistics.median(shown)) if shown else "-"


def range_text(values: Sequence[float]) -> str:
    shown = comparable(values)
    return f"[{fmt_value(min(shown))}, {fmt_value(max(shown))}]" if shown else "-"


def caption_text(row: Row) -> str:
    ops = {">": "$>$", ">=": r"$\geq$", "<": "$<$", "<=": r"$\leq$"}
    seeds = len(row.get("seeds") or row.get("values") or [])
    reported = (f"; paper reports: {latex_escape(row['paper_value'])}"
                if row.get("paper_value") else "")
    return (f"{seeds} seeds, {latex_escape(row['rule'])}; holds if {latex_escape(row['metric'])} "
            f"{ops[row['op']]} {row['threshold']:g}; control: "
            f"{latex_escape(row['control']['condition'])}{reported}")


def to_latex_macros(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    """One \\newcommand per claim value (median over seeds, range, control median, verdict) and a
    caption per claim, so a paper's prose cites the run its table shows (`\\input` it in the
    preamble). Two ids that map to one macro name stop the writer with both named."""
    lines = [f"% phenomena claim values: scale {environment.get('scale')}, base seed "
             f"{environment.get('base_seed')}, torch {environment.get('torch')}"]
    owner: dict[str, str] = {}
    for r in rows:
        stem = macro_stem(r["id"])
        values = {"Median": median_text(r.get("values", [])),
                  "Range": range_text(r.get("values", [])),
                  "ControlMedian": median_text(r["control"].get("values", [])),
                  "Verdict": r["verdict"], "Caption": caption_text(r)}
        for suffix in MACRO_FIELDS:
            name = stem + suffix
            if owner.setdefault(name, r["id"]) != r["id"]:
                raise ValueError(f"claims {owner[name]} and {r['id']} both map to the LaTeX macro "
                                 f"\\{name}")
            lines.append(f"\\newcommand{{\\{name}}}{{{values[suffix]}}}")
    return "\n".join(lines) + "\n"


def to_csv(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "family", "verdict", "metric", "op", "threshold", "rule", "values",
                     "control_condition", "control_values", "seconds", "source", "paper_value",
                     "arch", "invalid"])
    for r in rows:
        writer.writerow([r["id"], r["family"], r["verdict"], r["metric"], r["op"], r["threshold"],
                         r["rule"], ";".join(map(repr, r.get("values", []))),
                         r["control"]["condition"],
                         ";".join(map(repr, r["control"].get("values", []))),
                         r.get("seconds"), r["source"], r.get("paper_value") or "",
                         ";".join(f"{k}={v}" for k, v in (r.get("arch") or {}).items()),
                         " | ".join(invalid_lines(r))])
    return out.getvalue()


def to_html(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    from harness.page import html_page  # imports matplotlib only when figures are wanted

    return html_page(environment, rows)


WRITERS: dict[str, Callable[[dict[str, Any], Sequence[Row]], str]] = {
    ".json": to_json, ".md": to_markdown, ".tex": to_latex, ".csv": to_csv, ".html": to_html,
}
TRACE_FORMATS = (".json", ".html")  # the reports that hold (or draw) the claims' traces


def macros_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-macros.tex")


def write_report(path: Path, environment: dict[str, Any], rows: Sequence[Row]) -> None:
    """Write one report file; a LaTeX table gets the shipped references.bib and its values as
    macros (`<name>-macros.tex`) next to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(WRITERS[path.suffix](environment, rows))
    if path.suffix == ".tex":
        path.with_name("references.bib").write_text(BIB_PATH.read_text())
        macros_path(path).write_text(to_latex_macros(environment, rows))
