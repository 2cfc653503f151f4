"""How a row's numbers read in a table cell: values per seed or median and range, invalid marks,
seconds. Shared by the text, file and HTML writers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Row = dict[str, Any]

VERDICTS = ("pass", "fail", "xfail", "xpass", "error", "skip")


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
