"""The report writers: JSON round-trips; Markdown, LaTeX and CSV name every claim."""

import csv
import io
import json

from hypothesis import given
from hypothesis import strategies as st

from harness.report import latex_escape, text_table, to_csv, to_json, to_latex, to_markdown

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
        "verdict": draw(st.sampled_from(["pass", "fail", "xfail", "error", "skip"])),
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
