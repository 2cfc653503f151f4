"""Reading a saved JSON report back (for --compare and harness.merge): anything that is not one,
a truncated file or another program's JSON, is refused with one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROW_FIELDS = ("id", "verdict", "values", "control")


class NotAReport(ValueError):
    """The file is not a JSON report written by this suite."""


def load_json(path: Path) -> Any:
    """The JSON value in the file at `path`; NotAReport, naming the file, when it cannot be
    read or is not JSON (a truncated file)."""
    try:
        return json.loads(Path(path).read_text())
    except OSError as exc:
        raise NotAReport(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAReport(f"{path}: not JSON, or cut short ({exc})") from None


def read_report(path: Path) -> dict[str, Any]:
    """The report at `path`: {"environment": {...}, "claims": [row, ...]}, each row with at
    least an id, a verdict, values and a control."""
    report = load_json(path)
    if not (isinstance(report, dict) and isinstance(report.get("environment"), dict)
            and isinstance(report.get("claims"), list)):
        raise NotAReport(f"{path}: not a phenomena report (expected an object with "
                         f"'environment' and 'claims')")
    for index, row in enumerate(report["claims"]):
        missing = [f for f in ROW_FIELDS if not isinstance(row, dict) or f not in row]
        if missing:
            raise NotAReport(f"{path}: claim {index} lacks {', '.join(missing)}")
    return report
