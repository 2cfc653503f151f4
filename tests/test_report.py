"""The report writers: JSON round-trips; Markdown, LaTeX and CSV name every claim."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.report import (
    MACRO_FIELDS,
    latex_escape,
    macro_stem,
    text_table,
    to_csv,
    to_json,
    to_latex,
    to_latex_macros,
    to_markdown,
)

values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=8)


@st.composite
def rows(draw):
    n = draw(st.integers(1, 5))
    ids = draw(st.lists(st.from_regex(r"[a-z]{1,6}/[a-z_\-]{1,10}", fullmatch=True),
                        min_size=n, max_size=n, unique=True))
    return [{
        "id": claim_id, "family": claim_id.split("/")[0], "statement": "a & b % c",
        "source": "Someone et al. 2020, Fig. 1", "reference": "someone2020", "metric": "m_x",
        "op": draw(st.sampled_from([">", ">=", "<", "<="])), "threshold": draw(st.floats(-5, 5)),
        "rule": "holds in every seed", "seeds": [1, 2], "values": draw(values),
        "control": {"condition": "flipped $knob", "values": draw(values)},
        "verdict": draw(st.sampled_from(["pass", "fail", "xfail", "xpass", "error", "skip"])),
        "seconds": 1.25, "arch": {"two-layer": "default"},
    } for claim_id in ids]


ENV = {"scale": "ci", "base_seed": 0, "device": "cpu", "torch": "x"}


@given(rows())
def test_json_round_trip(claim_rows):
    loaded = json.loads(to_json(ENV, claim_rows))
    assert loaded == {"environment": ENV, "claims": claim_rows}


@given(rows())
def test_every_format_names_every_claim(claim_rows):
    latex = to_latex(ENV, claim_rows)
    for row in claim_rows:
        assert f"`{row['id']}`" in to_markdown(ENV, claim_rows)
        assert row["id"].replace("_", r"\_") in latex
        assert row["id"] in text_table(claim_rows)
    parsed = list(csv.DictReader(io.StringIO(to_csv(ENV, claim_rows))))
    assert [r["id"] for r in parsed] == [r["id"] for r in claim_rows]
    assert [r["verdict"] for r in parsed] == [r["verdict"] for r in claim_rows]


@given(rows())
def test_latex_escapes_and_cites(claim_rows):
    latex = to_latex(ENV, claim_rows)
    assert r"\cite{someone2020}" in latex and r"\toprule" in latex and r"\bottomrule" in latex


def test_latex_escape():
    assert latex_escape("a_b & 50% $x$") == r"a\_b \& 50\% \$x\$"


def test_a_claim_with_further_sources_cites_them_all():
    from harness.references import paper

    source = paper("xu2019frequency", "Fig. 1", paper("rahaman2019spectral", "Sec. 3"))
    assert source.keys == ["xu2019frequency", "rahaman2019spectral"]
    assert str(source).startswith("Xu et al. 2020") and "; also Rahaman et al. 2019" in str(source)


def suite_claim_ids() -> list[str]:
    """Every claim id declared in phenomena/ (read from the source: no claim module imported)."""
    sources = (Path(__file__).parent.parent / "phenomena").glob("test_*.py")
    return [m for path in sources for m in re.findall(r'\bid="([^"]+/[^"]+)"', path.read_text())]


def test_macro_names_are_letters_and_injective_over_the_suite():
    ids = suite_claim_ids()
    assert len(ids) > 30
    names = [macro_stem(claim_id) + suffix for claim_id in ids for suffix in MACRO_FIELDS]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z]+", name) for name in names)
    assert macro_stem("double-descent/interpolation-peak") == "phDoubleDescentInterpolationPeak"
    assert macro_stem("a/l2-bias") == "phALTwoBias"


@given(rows())
def test_latex_macros_give_every_claim_its_values_and_caption(claim_rows):
    macros = to_latex_macros(ENV, claim_rows)
    for row in claim_rows:
        stem = macro_stem(row["id"])
        for suffix in MACRO_FIELDS:
            assert f"\\newcommand{{\\{stem}{suffix}}}{{" in macros
        assert f"\\newcommand{{\\{stem}Verdict}}{{{row['verdict']}}}" in macros
    assert macros.count(r"\newcommand") == len(MACRO_FIELDS) * len(claim_rows)


def test_two_ids_with_one_macro_name_are_refused():
    row = {"values": [1.0], "control": {"condition": "c", "values": [0.0]}, "verdict": "pass",
           "rule": "r", "metric": "m", "op": ">", "threshold": 0.5}
    with pytest.raises(ValueError, match="claims a/b-c and a-b/c both map to the LaTeX macro"):
        to_latex_macros(ENV, [{**row, "id": "a/b-c"}, {**row, "id": "a-b/c"}])


def test_json_keeps_lists_of_numbers_on_one_line():
    row = {"id": "a/b", "values": [1.0, 2.5], "traces": {"claim": [{"curves": {"loss": {
        "x": list(range(300)), "y": [0.5] * 300}}}]}}
    text = to_json(ENV, [row])
    assert json.loads(text)["claims"] == [row]
    assert len(text.splitlines()) < 30 and '"values": [1.0, 2.5]' in text


def test_the_papers_number_reaches_every_report():
    from harness.page import detail
    from harness.references import paper

    source = paper("xu2019frequency", "Fig. 1", reported="low frequency first")
    assert source.reported == "low frequency first"
    assert paper("xu2019frequency", "Fig. 1").reported is None
    row = {"id": "a/b", "family": "a", "source": str(source), "reference": "xu2019frequency",
           "paper_value": "epochs ~1.4k & 50%", "statement": "s", "metric": "m",
           "op": ">", "threshold": 0.5,
           "rule": "r", "values": [1.0], "control": {"condition": "c", "values": [0.0]},
           "verdict": "pass"}
    assert "| epochs ~1.4k & 50% |" in to_markdown(ENV, [row])
    parsed = next(csv.DictReader(io.StringIO(to_csv(ENV, [row]))))
    assert parsed["paper_value"] == row["paper_value"]
    assert r"paper reports: epochs \textasciitilde{}1.4k \& 50\%" in to_latex_macros(ENV, [row])
    assert "paper reports</dt><dd>epochs ~1.4k &amp; 50%" in detail(row, draw=False)
    none = {**row, "paper_value": None}
    assert "paper reports" not in to_latex_macros(ENV, [none])
    assert "| - |" in to_markdown(ENV, [none])
