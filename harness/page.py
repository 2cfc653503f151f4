"""The HTML report: one self-contained page (styles, the filter script and every figure inlined
as a base64 PNG; nothing is fetched at view time). The claims table, grouped by family, with
verdict filters; per claim its statement, source and references, rule, values against the
threshold, control, figure, seconds and where it ran; the run's environment at the top.

Written here rather than on pytest-html: its page is one row per test with pytest's columns and
extras appended, while this report's unit is a claim with fields pytest does not know; it would
also need a pytest run, where this page is written as well by `harness.merge` from saved JSON.
Figures need matplotlib; without it the page says so and has none.
"""

from __future__ import annotations

import base64
import importlib.util
from collections.abc import Sequence
from html import escape
from typing import Any

from harness.cells import (
    VERDICTS,
    claim_values,
    control_values,
    first_line,
    invalid_lines,
    seconds_text,
)
from harness.references import references

Row = dict[str, Any]

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em;
       padding: 0 1em; color: #1b1b1b; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.4em 0; }
td, th { padding: 0.2em 0.7em; text-align: left; vertical-align: top; }
table.claims td, table.claims th { border-bottom: 1px solid #e4e4e4; }
table.env td:first-child { color: #555; }
.verdict { font-weight: 600; padding: 0 0.4em; border-radius: 3px; }
.v-pass { background: #d8f0d8; } .v-fail { background: #f8d0d0; } .v-xfail { background: #f3e6c0; }
.v-xpass { background: #cfe3f5; } .v-error { background: #f0b8b8; } .v-skip { background: #e4e4e4; }
details { margin: 0.5em 0 0.9em; } summary { cursor: pointer; font-weight: 600; }
dl { display: grid; grid-template-columns: 11em 1fr; gap: 0.15em 1em; margin: 0.5em 0; }
dt { color: #555; } dd { margin: 0; }
img { max-width: 100%; border: 1px solid #eee; }
#filters label { margin-right: 1em; } code { font-size: 0.95em; }
"""

SCRIPT = """
function applyFilters() {
  const shown = new Set([...document.querySelectorAll('#filters input:checked')]
                        .map(box => box.value));
  document.querySelectorAll('[data-verdict]').forEach(el => {
    el.hidden = !shown.has(el.dataset.verdict);
  });
}
document.querySelectorAll('#filters input').forEach(box => box.onchange = applyFilters);
function openTarget() {
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.tagName === 'DETAILS') target.open = true;
}
window.addEventListener('hashchange', openTarget);
openTarget();
"""


def anchor(claim_id: str) -> str:
    return "claim-" + claim_id.replace("/", "--")


def verdict_badge(verdict: str) -> str:
    return f'<span class="verdict v-{escape(verdict)}">{escape(verdict)}</span>'


def reference_text(key: str) -> str:
    entry = references().get(key)
    if entry is None:
        return escape(key)
    fields = entry.fields
    link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
    title = escape(fields.get("title", "").replace("{", "").replace("}", ""))
    text = (f"{escape(fields.get('author', ''))}. <i>{title}</i>. {escape(fields.get('year', ''))}"
            f" <code>[{escape(key)}]</code>")
    return text + (f' <span class="url">{escape(link)}</span>' if link else "")


def figure_html(row: Row, draw: bool) -> str:
    if not draw:
        return "<p>(no figure: pip install 'phenomena[plots]')</p>"
    from harness.plots import has_evidence, png_bytes

    if not has_evidence(row):
        return "<p>(nothing measured to draw)</p>"
    data = base64.b64encode(png_bytes(row)).decode()
    return f'<img alt="figure of {escape(row["id"])}" src="data:image/png;base64,{data}">'


def provenance_text(row: Row) -> str:
    where = row.get("provenance") or {}
    return escape(", ".join(f"{k} {v}" for k, v in where.items() if v is not None)) or "-"


def detail(row: Row, draw: bool) -> str:
    invalid = "".join(f"<li>{escape(line)}</li>" for line in invalid_lines(row))
    reason = row.get("reason") or row.get("skip_reason") or row.get("xfail_reason")
    fields = [
        ("source", escape(row["source"])),
        ("paper reports", escape(row.get("paper_value") or "-")),
        ("references", "<br>".join(reference_text(k)
                                   for k in row.get("references") or [row["reference"]])),
        ("metric", escape(row["metric"])),
        ("holds if", escape(f"{row['op']} {row['threshold']:g}, {row['rule']}")),
        ("values", escape(claim_values(row))),
        ("control", escape(row["control"]["condition"])),
        ("control values", escape(control_values(row))),
        ("seconds", escape(seconds_text(row))),
        ("ran on", provenance_text(row)),
    ]
    if reason:
        fields.append(("why", "<pre>" + escape(reason) + "</pre>"))
    if invalid:
        fields.append(("invalid seeds", f"<ul>{invalid}</ul>"))
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in fields)
    return (f'<details open id="{anchor(row["id"])}" data-verdict="{escape(row["verdict"])}">'
            f'<summary>{escape(row["id"])} {verdict_badge(row["verdict"])}</summary>'
            f'<p>{escape(row["statement"])}</p><dl>{items}</dl>{figure_html(row, draw)}'
            f"</details>")


def values_cell(row: Row) -> str:
    """The values, or why there are none (a skip's reason, an error's first line)."""
    if row["verdict"] == "error" and row.get("reason"):
        return first_line(row["reason"])
    return row.get("skip_reason") or claim_values(row)


def family_section(family: str, rows: Sequence[Row], draw: bool) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("claim", "verdict", "holds if", "values",
                                             "control values", "s"))
    body = "".join(
        f'<tr data-verdict="{escape(r["verdict"])}"><td><a href="#{anchor(r["id"])}">'
        f'{escape(r["id"])}</a></td><td>{verdict_badge(r["verdict"])}</td>'
        f'<td>{escape(r["op"])} {r["threshold"]:g}</td>'
        f"<td>{escape(values_cell(r))}</td>"
        f"<td>{escape(control_values(r))}</td><td>{escape(seconds_text(r))}</td></tr>"
        for r in rows)
    details = "".join(detail(r, draw) for r in rows)
    return (f'<section id="family-{escape(family)}"><h2>{escape(family)}</h2>'
            f'<table class="claims"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"{details}</section>")


def html_page(environment: dict[str, Any], rows: Sequence[Row]) -> str:
    draw = importlib.util.find_spec("matplotlib") is not None
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    filters = "".join(f'<label><input type="checkbox" value="{v}" checked> '
                      f"{verdict_badge(v)} {n}</label>" for v, n in counts.items() if n)
    env = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>"
                  for k, v in environment.items())
    families: dict[str, list[Row]] = {}
    for row in rows:
        families.setdefault(row.get("family") or row["id"].split("/")[0], []).append(row)
    sections = "".join(family_section(f, family_rows, draw)
                       for f, family_rows in sorted(families.items()))
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>phenomena claims</title><style>{STYLE}</style></head><body>"
            f"<h1>Phenomena claims</h1><p>{len(rows)} claims: {escape(summary)}</p>"
            f'<div id="filters">show: {filters}</div>'
            f'<details><summary>run environment</summary><table class="env">{env}</table>'
            f"</details>{sections}<script>{SCRIPT}</script></body></html>\n")
