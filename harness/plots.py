"""One PNG per claim with the evidence behind its verdict: the claim's and the control's value per
seed against the threshold. Needs the `plots` extra (matplotlib)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def plot_claim(row: dict[str, Any], path: Path) -> None:
    sides = [("claim", row["values"], "tab:blue"),
             (row["control"]["condition"], row["control"]["values"], "tab:orange")]
    fig, ax = plt.subplots(figsize=(6, 4))
    for x, (_, values, color) in enumerate(sides):
        shown = finite(values)
        jitter = [x + 0.08 * (i - (len(shown) - 1) / 2) for i in range(len(shown))]
        ax.scatter(jitter, shown, color=color, zorder=3)
    ax.axhline(row["threshold"], color="black", linestyle="--",
               label=f"holds if {row['op']} {row['threshold']:g}")
    every = finite(row["values"]) + finite(row["control"]["values"]) + [row["threshold"]]
    if min(every) > 0 and max(every) / min(every) > 100:
        ax.set_yscale("log")
    ax.set_xticks([0, 1], ["\n".join(textwrap.wrap(label, 30)) for label, _, _ in sides])
    ax.set_xlim(-0.6, 1.6)
    ax.set_ylabel("\n".join(textwrap.wrap(row["metric"], 45)), fontsize=8)
    ax.set_title(f"{row['id']}: {row['verdict']}\n{row['source']}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_plots(directory: Path, rows: Sequence[dict[str, Any]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for row in rows:
        if row["values"] or row["control"]["values"]:
            plot_claim(row, directory / (row["id"].replace("/", "__") + ".png"))
