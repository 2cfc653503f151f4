"""Reading a saved report in the harness tests: its rows by claim id, and the values a run gave."""

from harness.saved import read_report


def rows_of(path):
    """(the report, {claim id: row}), the report checked by the harness's own reader."""
    report = read_report(path)
    return report, {row["id"]: row for row in report["claims"]}


def values_of(path):
    """{claim id: (values, control values, verdict)}: what two runs must agree on."""
    return {k: (r["values"], r["control"]["values"], r["verdict"])
            for k, r in rows_of(path)[1].items()}
