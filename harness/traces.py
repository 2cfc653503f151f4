"""What a seed's experiment recorded to show its phenomenon: named curves (x -> value) and small
arrays, kept bounded so a whole suite's traces fit in one report.

A curve keeps every point while it is recorded and is thinned to `MAX_POINTS` evenly spaced
ones (the first and the last kept) when it is stored; an array larger than `MAX_ARRAY_SIZE`
entries is strided along every axis. Stored numbers keep `DIGITS` significant digits: a figure
needs no more, and the JSON stays small.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MAX_POINTS = 200
MAX_ARRAY_SIZE = 4096
DIGITS = 4


def rounded(value: float) -> float | None:
    """`value` to DIGITS significant digits; None (JSON null) when it is not finite."""
    value = float(value)
    return float(f"{value:.{DIGITS}g}") if math.isfinite(value) else None


def thinned(length: int, limit: int) -> list[int]:
    """At most `limit` evenly spaced indices into range(length), the first and the last kept."""
    if length <= limit:
        return list(range(length))
    return sorted({round(i * (length - 1) / (limit - 1)) for i in range(limit)})


def bounded_array(array: np.ndarray) -> np.ndarray:
    """`array` strided along every axis until it has at most MAX_ARRAY_SIZE entries."""
    while array.size > MAX_ARRAY_SIZE:
        array = array[tuple(slice(None, None, 2) if n > 1 else slice(None)
                            for n in array.shape)]
    return array


def as_numbers(value: Any) -> np.ndarray:
    """A tensor (detached, moved to the CPU), an array or a sequence as a float array."""
    if hasattr(value, "detach"):
        value = value.detach().cpu()
    return np.asarray(value, dtype=float)


class Traces:
    """The curves and arrays one seed recorded (`Run.trace`, `Run.trace_array`)."""

    def __init__(self) -> None:
        self.curves: dict[str, dict[str, Any]] = {}
        self.arrays: dict[str, np.ndarray] = {}

    def curve(self, name: str, x: float, y: float, x_label: str, level: float | None) -> None:
        entry = self.curves.setdefault(name, {"x": [], "y": [], "x_label": x_label,
                                              "level": level})
        entry["x"].append(float(x))
        entry["y"].append(float(as_numbers(y)))

    def array(self, name: str, value: Any) -> None:
        self.arrays[name] = as_numbers(value)

    def extend(self, other: Traces) -> None:
        """Add what `other` recorded (a shared run read by this seed)."""
        for name, entry in other.curves.items():
            mine = self.curves.setdefault(name, {**entry, "x": [], "y": []})
            mine["x"] += entry["x"]
            mine["y"] += entry["y"]
        self.arrays.update(other.arrays)

    def data(self) -> dict[str, Any]:
        """Plain, bounded data for the report and the cache."""
        curves = {}
        for name, entry in self.curves.items():
            keep = thinned(len(entry["x"]), MAX_POINTS)
            curves[name] = {"x": [rounded(entry["x"][i]) for i in keep],
                            "y": [rounded(entry["y"][i]) for i in keep],
                            "x_label": entry["x_label"], "level": entry["level"]}
        arrays = {name: np.vectorize(rounded, otypes=[object])(bounded_array(a)).tolist()
                  if a.ndim else rounded(a) for name, a in self.arrays.items()}
        return {"curves": curves, "arrays": arrays}
