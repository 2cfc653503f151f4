"""Each claim's figure, drawn from its report row: the curves its experiment traced (claim and
control overlaid, a thin line per seed and a thick median, the reference level where one was
traced), and beside them the verdict panel, each seed's value against the threshold. PNG and
vector PDF at a paper's width: one column (3.3 in) for the verdict panel alone, two (7 in) with
curves. Drawn on the controller from report data only, so it works under -n, after a merge of
shards, and from a saved report:

    python -m harness.plots report.json DIR

Needs the `plots` extra (matplotlib).
"""

from __future__ import annotations

import functools
import io
import json
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

Row = dict[str, Any]

COLUMN_WIDTH, TWO_COLUMN_WIDTH, HEIGHT = 3.3, 7.0, 2.2  # inches
MAX_PANELS = 4  # trace panels beside the verdict panel
SPARSE = 25  # a curve of at most this many points is drawn with markers (points, not a path)
COLORS = {"claim": "#1f5fa8", "control": "#e07b10"}
STYLE = {"font.size": 7, "axes.titlesize": 7, "axes.labelsize": 7, "legend.fontsize": 6,
         "xtick.labelsize": 6, "ytick.labelsize": 6, "axes.linewidth": 0.5,
         "xtick.major.width": 0.5, "ytick.major.width": 0.5, "pdf.fonttype": 42,
         "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}


def finite(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def numbers(values: Sequence[float | None]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def side_traces(row: Row, side: str) -> list[dict[str, Any]]:
    return (row.get("traces") or {}).get(side) or []


def panels_of(row: Row) -> list[tuple[str, str]]:
    """(kind, name) of the panels the row's traces fill: a curve, or a 1-D array drawn as one,
    per name; a 2-D array as an image. At most MAX_PANELS, in recording order."""
    seen: dict[str, str] = {}
    for side in ("claim", "control"):
        for seed in side_traces(row, side):
            for name in seed.get("curves", {}):
                seen.setdefault(name, "curve")
            for name, array in seed.get("arrays", {}).items():
                depth = np.ndim(np.array(array, dtype=object))
                seen.setdefault(name, "image" if depth == 2 else "curve")
    return [(kind, name) for name, kind in seen.items()][:MAX_PANELS]


def curve_of(seed: dict[str, Any], name: str) -> tuple[np.ndarray, np.ndarray, str, Any]:
    """(x, y, x label, level) of the curve `name` in one seed's traces (a 1-D array: against
    its index); empty when the seed did not record it."""
    if name in seed.get("curves", {}):
        c = seed["curves"][name]
        return numbers(c["x"]), numbers(c["y"]), c.get("x_label", "step"), c.get("level")
    array = seed.get("arrays", {}).get(name)
    if array is None or np.ndim(array) != 1:
        return np.array([]), np.array([]), "index", None
    return np.arange(len(array), dtype=float), numbers(array), "index", None


def median_curve(curves: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The median over seeds on the longest seed's grid, where at least half the seeds reach
    (a seed that stopped early does not drag the median to its end)."""
    curves = [(x, y) for x, y in curves if len(x)]
    if len(curves) < 2:
        return np.array([]), np.array([])
    grid = max((x for x, _ in curves), key=len)
    stacked = np.full((len(curves), len(grid)), np.nan)
    for i, (x, y) in enumerate(curves):
        inside = (grid >= x[0]) & (grid <= x[-1])
        stacked[i, inside] = np.interp(grid[inside], x, y)
    enough = np.sum(~np.isnan(stacked), axis=0) * 2 >= len(curves)
    median = np.full(len(grid), np.nan)
    median[enough] = np.nanmedian(stacked[:, enough], axis=0)
    return grid, median


def draw_curves(ax, row: Row, name: str, title_width: int) -> None:
    x_label, levels, every = "step", set(), []
    for side in ("claim", "control"):
        curves = []
        for seed in side_traces(row, side):
            x, y, x_label_seen, level = curve_of(seed, name)
            if len(x):
                x_label = x_label_seen
                curves.append((x, y))
                ax.plot(x, y, color=COLORS[side], linewidth=0.5, alpha=0.45,
                        marker="o" if len(x) <= SPARSE else None, markersize=2)
                every += finite(list(y))
            if level is not None:
                levels.add(level)
        grid, median = median_curve(curves)
        label = "claim" if side == "claim" else "control"
        if len(grid):
            ax.plot(grid, median, color=COLORS[side], linewidth=1.6, label=label)
        elif curves:
            ax.lines[-1].set(alpha=1.0, linewidth=1.2, label=label)
    for level in sorted(levels):
        ax.axhline(level, color="0.3", linestyle="--", linewidth=0.6)
    if every and min(every) > 0 and max(every) / min(every) > 100:
        ax.set_yscale("log")
    ax.set_title("\n".join(textwrap.wrap(name, title_width)))
    ax.set_xlabel(x_label)


def draw_image(axes, row: Row, name: str) -> None:
    """Seed 1's array of the claim side and of the control side, side by side."""
    for ax, side in zip(axes, ("claim", "control"), strict=True):
        seeds = [s for s in side_traces(row, side) if name in s.get("arrays", {})]
        ax.set_title("\n".join(textwrap.wrap(f"{name} ({side}, seed 1)", 28)))
        ax.set_xticks([])
        ax.set_yticks([])
        if seeds:
            ax.imshow(numbers_2d(seeds[0]["arrays"][name]), cmap="viridis", aspect="auto")


def numbers_2d(array: list[list[float | None]]) -> np.ndarray:
    return np.array([numbers(line) for line in array])


def draw_verdict(ax, row: Row) -> None:
    """Each seed's value, claim and control, against the threshold (an invalid one hollow); the
    metric's words are left to the caption (the HTML page, the LaTeX caption macro)."""
    sides = [("claim", row["values"], row.get("invalid") or []),
             ("control", row["control"]["values"], row["control"].get("invalid") or [])]
    for x, (side, values, invalid) in enumerate(sides):
        reasons = list(invalid) + [None] * (len(values) - len(invalid))
        for i, (value, why) in enumerate(zip(values, reasons, strict=True)):
            if value is None or not math.isfinite(value):
                continue
            offset = x + 0.1 * (i - (len(values) - 1) / 2)
            ax.scatter([offset], [value], s=12, zorder=3, color=COLORS[side],
                       facecolors="none" if why else COLORS[side], linewidths=0.8)
    ax.axhline(row["threshold"], color="black", linestyle="--", linewidth=0.8,
               label=f"holds if {row['op']} {row['threshold']:g}")
    every = finite(row["values"]) + finite(row["control"]["values"]) + [row["threshold"]]
    if min(every) > 0 and max(every) / min(every) > 100:
        ax.set_yscale("log")
    ax.set_xticks([0, 1], ["claim", "control"])
    ax.set_xlim(-0.6, 1.6)
    ax.set_title(f"verdict: {row['verdict']}")
    ax.set_ylabel("the claim's metric per seed")
    ax.legend(loc="best", frameon=False)


def figure(row: Row):
    """The claim's figure (a matplotlib Figure; the caller closes it)."""
    panels = panels_of(row)
    count = sum(2 if kind == "image" else 1 for kind, _ in panels)
    with plt.rc_context(STYLE):
        width = TWO_COLUMN_WIDTH if panels else COLUMN_WIDTH
        fig, axes = plt.subplots(1, count + 1, figsize=(width, HEIGHT), squeeze=False,
                                 layout="constrained",
                                 gridspec_kw={"width_ratios": [1.0] * count + [0.8]})
        axes = list(axes[0])
        position = 0
        for kind, name in panels:
            if kind == "image":
                draw_image(axes[position:position + 2], row, name)
                position += 2
            else:
                draw_curves(axes[position], row, name, title_width=max(18, 84 // count))
                position += 1
        draw_verdict(axes[-1], row)
        if panels and panels[0][0] == "curve":
            axes[0].legend(loc="best", frameon=False)
        title = textwrap.wrap(f"{row['id']}   (control: {row['control']['condition']})",
                              130 if panels else 60)
        fig.suptitle("\n".join(title[:2]) + (" ..." if len(title) > 2 else ""), fontsize=7)
    return fig


DRAWN_FIELDS = ("id", "values", "invalid", "control", "threshold", "op", "verdict", "traces")
DPI = 150


class Rendered(NamedTuple):
    png: bytes
    pdf: bytes


def rendered(row: Row) -> Rendered:
    """The claim's figure as PNG and PDF bytes, drawn once for the --plots files and the HTML
    page alike: memoised on the fields the figure shows, so the figure the run drew as the
    claim finished is the one every writer gets."""
    return rendered_from(json.dumps({k: row.get(k) for k in DRAWN_FIELDS}, sort_keys=True))


@functools.lru_cache(maxsize=256)
def rendered_from(drawn: str) -> Rendered:
    """Constrained layout is about half of a save's cost; it runs at the first save and the
    second keeps its positions."""
    fig = figure(json.loads(drawn))
    files = []
    for fmt in ("png", "pdf"):
        out = io.BytesIO()
        fig.savefig(out, format=fmt, dpi=DPI)
        fig.set_layout_engine("none")
        files.append(out.getvalue())
    plt.close(fig)
    return Rendered(*files)


def png_bytes(row: Row) -> bytes:
    """The figure as PNG bytes (for the HTML report)."""
    return rendered(row).png


def has_evidence(row: Row) -> bool:
    return bool(row["values"] or row["control"]["values"])


def figure_stem(row: Row) -> str:
    return row["id"].replace("/", "__")


def write_plots(directory: Path, rows: Sequence[Row]) -> None:
    """A PNG and a PDF per claim that measured something."""
    directory.mkdir(parents=True, exist_ok=True)
    for row in rows:
        if has_evidence(row):
            files = rendered(row)
            (directory / f"{figure_stem(row)}.png").write_bytes(files.png)
            (directory / f"{figure_stem(row)}.pdf").write_bytes(files.pdf)


def main(argv: list[str] | None = None) -> int:
    from harness.saved import NotAReport, read_report

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m harness.plots REPORT.json DIR", file=sys.stderr)
        return 2
    try:
        report = read_report(Path(args[0]))
    except NotAReport as exc:
        print(f"python -m harness.plots: {exc}", file=sys.stderr)
        return 2
    write_plots(Path(args[1]), report["claims"])
    print(f"plots written: {args[1]}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
