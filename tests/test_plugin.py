"""The plugin end to end, on toy claims: options, verdicts, report files, xdist equivalence."""

import json
import sys

import pytest

TOY_CLAIMS = '''
import torch
from harness import claim, control, paper, per_scale, train

def fit_ratio(run, steps):
    x = torch.randn(32, 2, generator=run.generator)
    y = x.sum(dim=1, keepdim=True)
    net = run.role("two-layer", in_dim=2, width=16, activation="tanh")
    loss = train.mse(net, x, y)
    before = float(loss().detach())
    train.fit(loss, torch.optim.SGD(net.parameters(), lr=0.2), steps)
    return float(loss().detach()) / before

DECLARATION = dict(
    statement="Gradient descent lowers the loss of a small network.",
    source=paper("xu2019frequency", "toy"),
    metric="final loss / initial loss",
    control=control("no training", steps=0),
    seeds=per_scale(ci=3, paper=4),
)

@claim(id="toy/fits", holds_if=("<", 0.5), **DECLARATION)
def gd_fits(run, steps=100):
    return fit_ratio(run, steps)

@claim(id="toy/fits-again", holds_if=("<", 0.5), **DECLARATION)
def gd_fits_again(run, steps=100):
    return fit_ratio(run, steps)

@claim(id="toy/impossible", holds_if=("<", 1e-12), seed_name="toy/exactly", **DECLARATION)
def gd_fits_exactly(run, steps=5):
    return fit_ratio(run, steps)

@claim(id="toy/expected-failure", holds_if=("<", 1e-12), xfail="does not fit exactly in 5 steps",
       seed_name="toy/exactly", **DECLARATION)
def gd_fits_exactly_known(run, steps=5):
    return fit_ratio(run, steps)

@claim(id="toy/crashes", holds_if=("<", 0.5), xfail="a crash is an error, not an xfail",
       **DECLARATION)
def crashes(run, steps=5):
    raise RuntimeError("experiment bug")
'''


@pytest.fixture
def toy(pytester):
    pytester.makepyfile(test_toy=TOY_CLAIMS)
    return pytester


def claims_of(path):
    report = json.loads(path.read_text())
    return report, {row["id"]: row for row in report["claims"]}


def test_verdicts_and_all_report_formats(toy):
    paths = [toy.path / f"out/claims.{ext}" for ext in ("json", "md", "tex", "csv")]
    result = toy.runpytest_subprocess(*[f"--report={p}" for p in paths])
    result.stdout.fnmatch_lines(["*phenomena claims*", "*toy/fits *pass*"])
    report, rows = claims_of(paths[0])
    assert {k: r["verdict"] for k, r in rows.items()} == {
        "toy/fits": "pass", "toy/fits-again": "pass", "toy/impossible": "fail",
        "toy/expected-failure": "xfail", "toy/crashes": "error"}
    fits = rows["toy/fits"]
    assert len(fits["values"]) == len(fits["seeds"]) == 3
    assert all(v < 0.5 for v in fits["values"])
    assert fits["control"] == {"condition": "no training", "values": [1.0, 1.0, 1.0]}
    assert fits["arch"] == {"two-layer": "default"} and fits["rule"] == "holds in every seed"
    assert report["environment"]["scale"] == "ci" and report["environment"]["base_seed"] == 0
    for path in paths[1:]:
        text = path.read_text()
        assert all(claim_id.replace("_", r"\_") in text for claim_id in rows)


def test_serial_and_xdist_runs_are_bit_identical(toy):
    values = []
    for args in ([], [], ["-n", "2"]):
        out = toy.path / f"run{len(values)}.json"
        toy.runpytest_subprocess(*args, "-p", "no:cacheprovider", "-k", "gd_fits and not exactly",
                                 f"--report={out}")
        _, rows = claims_of(out)
        values.append({k: (r["values"], r["control"]["values"]) for k, r in rows.items()})
    assert values[0] == values[1] == values[2]
    assert len(values[0]) == 2


def test_claims_sharing_runs_form_one_group_and_run_on_one_worker(toy):
    from harness.scheduling import run_group_of_node

    assert run_group_of_node("test_toy.py::gd_fits_exactly", toy.path) == "toy/exactly"
    assert run_group_of_node("test_toy.py::gd_fits", toy.path) == "test_toy.py::gd_fits"
    assert run_group_of_node("missing.py::f", toy.path) == "missing.py::f"
    result = toy.runpytest_subprocess("-n", "2", "-v", "-p", "no:cacheprovider")
    workers = {line.split("]")[0] for line in result.stdout.lines
               if line.startswith("[gw") and "gd_fits_exactly" in line}
    assert len(workers) == 1


def test_base_seed_changes_the_numbers(toy):
    outs = [toy.path / "a.json", toy.path / "b.json"]
    only = "gd_fits and not exactly and not again"
    toy.runpytest_subprocess("-k", only, f"--report={outs[0]}")
    toy.runpytest_subprocess("-k", only, "--base-seed=5", f"--report={outs[1]}")
    (_, first), (env, second) = claims_of(outs[0]), claims_of(outs[1])
    assert first["toy/fits"]["values"] != second["toy/fits"]["values"]
    assert env["environment"]["base_seed"] == 5


@pytest.mark.parametrize("args, message", [
    (["--scale=huge"], "argument --scale: invalid choice: 'huge'"),
    (["--base-seed=one"], "argument --base-seed: invalid int value: 'one'"),
    (["--device=tpu"], "argument --device: invalid choice: 'tpu'"),
    (["--report=out.txt"], "--report out.txt: unknown format '.txt'; allowed: .json, .md"),
    (["--arch=no-such-role=harness.models:two_layer_net"],
     "--arch: unknown role 'no-such-role'; roles: two-layer, transformer"),
    (["--arch=two-layer=no_such_module:f"], "--arch: cannot import module 'no_such_module'"),
    (["--arch=two-layer=torch.nn:Linear"], "does not fit role 'two-layer'"),
    (["--shard=3/2"], "--shard 3/2: expected K/N with 1 <= K <= N"),
    (["--compare=missing.json"], "--compare missing.json: no such file"),
])
def test_bad_options_stop_with_one_clear_line(toy, args, message):
    result = toy.runpytest_subprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_arch_swap_is_recorded(toy):
    out = toy.path / "arch.json"
    toy.runpytest_subprocess("-k", "gd_fits and not exactly and not again",
                  "--arch=two-layer=harness.models:two_layer_net", f"--report={out}")
    _, rows = claims_of(out)
    assert rows["toy/fits"]["arch"] == {"two-layer": "harness.models:two_layer_net"}


ONLY_FITS = ("-k", "gd_fits and not exactly")


def test_cache_replays_unchanged_claims_and_cache_clear_recomputes(toy):
    runs = [toy.path / f"cache{i}.json" for i in range(3)]
    toy.runpytest_subprocess(*ONLY_FITS, f"--report={runs[0]}")
    toy.runpytest_subprocess(*ONLY_FITS, f"--report={runs[1]}")
    toy.runpytest_subprocess(*ONLY_FITS, "--cache-clear", f"--report={runs[2]}")
    rows = [claims_of(path)[1]["toy/fits"] for path in runs]
    assert [row["cached"] for row in rows] == [False, True, False]
    assert rows[0]["values"] == rows[1]["values"] == rows[2]["values"]


def test_shards_partition_the_suite_and_merge_into_one_report(toy):
    shards = [toy.path / f"shard{k}.json" for k in (1, 2)]
    for k, path in enumerate(shards, start=1):
        toy.runpytest_subprocess("-p", "no:cacheprovider", f"--shard={k}/2", f"--report={path}")
    ids = [set(claims_of(path)[1]) for path in shards]
    assert not ids[0] & ids[1]
    assert len(ids[0] | ids[1]) == 5
    assert any({"toy/impossible", "toy/expected-failure"} <= shard for shard in ids)
    merged = toy.path / "merged.json"
    result = toy.run(sys.executable, "-m", "harness.merge", merged, *shards,
                     "--report", toy.path / "merged.md")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*toy/fits *pass*"])
    report, rows = claims_of(merged)
    assert set(rows) == ids[0] | ids[1]
    assert report["environment"]["merged_shards"] == ["1/2", "2/2"]
    assert toy.run(sys.executable, "-m", "harness.merge", merged, shards[0], shards[0]).ret == 2


def test_compare_names_flipped_verdicts_and_value_changes(toy):
    baseline = toy.path / "baseline.json"
    toy.runpytest_subprocess(*ONLY_FITS, f"--report={baseline}")
    report = json.loads(baseline.read_text())
    for row in report["claims"]:
        if row["id"] == "toy/fits":
            row["verdict"], row["values"] = "fail", [v + 1 for v in row["values"]]
    baseline.write_text(json.dumps(report))
    out = toy.path / "compared.json"
    result = toy.runpytest_subprocess(*ONLY_FITS, f"--compare={baseline}", f"--report={out}")
    result.stdout.fnmatch_lines(["*vs baseline*", "*toy/fits *pass*fail -> pass, median -1*"])
    _, rows = claims_of(out)
    assert rows["toy/fits"]["baseline"]["flipped"] is True
    assert rows["toy/fits-again"]["baseline"]["flipped"] is False


def test_plots_one_png_per_claim(toy):
    result = toy.runpytest_subprocess(*ONLY_FITS, f"--plots={toy.path / 'plots'}")
    result.stdout.fnmatch_lines(["*plots written*"])
    pngs = sorted(p.name for p in (toy.path / "plots").iterdir())
    assert pngs == ["toy__fits-again.png", "toy__fits.png"]
    assert all((toy.path / "plots" / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)


BROKEN_FACTORY = '''
import torch
from harness.models import two_layer_net

class CannotLearn(torch.nn.Module):
    """Fits the contract, but its output does not depend on its parameters' values."""

    def __init__(self, spec, generator):
        super().__init__()
        self.inner = two_layer_net(spec, generator)

    def forward(self, x):
        return 0.0 * self.inner(x)

    def neuron_input_weights(self):
        return self.inner.neuron_input_weights()

    def neuron_output_weights(self):
        return self.inner.neuron_output_weights()

def cannot_learn(spec, generator):
    return CannotLearn(spec, generator)
'''


def test_a_model_that_cannot_learn_fails_the_claims_it_enters(toy):
    toy.makepyfile(broken=BROKEN_FACTORY)
    out = toy.path / "broken.json"
    result = toy.runpytest_subprocess(*ONLY_FITS, "--arch=two-layer=broken:cannot_learn",
                                      f"--report={out}")
    result.assert_outcomes(failed=2)
    _, rows = claims_of(out)
    for row in rows.values():
        assert row["verdict"] == "fail"
        assert row["arch"] == {"two-layer": "broken:cannot_learn"}
        assert row["values"] == [1.0, 1.0, 1.0]


NO_HOOKS_FACTORY = '''
import torch
from harness.models import two_layer_net

class OutputOnly(torch.nn.Module):
    """Learns, but exposes none of the two-layer role's hooks."""

    def __init__(self, spec, generator):
        super().__init__()
        self.inner = two_layer_net(spec, generator)

    def forward(self, x):
        return self.inner(x)

def output_only(spec, generator):
    return OutputOnly(spec, generator)
'''

READS_WEIGHTS = '''
import torch
from harness import claim, control, paper

@claim(id="toy/reads-weights", statement="Input weights are finite.",
       source=paper("xu2019frequency", "toy"), metric="largest |w|", holds_if=("<", 1e9),
       control=control("huge weights", scale=1e12))
def weights_are_finite(run, scale=1.0):
    net = run.role("two-layer", in_dim=2, width=4)
    return scale * float(net.neuron_input_weights().abs().max())
'''


def test_claims_reading_a_missing_hook_are_skipped_with_the_reason(toy):
    toy.makepyfile(nohooks=NO_HOOKS_FACTORY, test_reads=READS_WEIGHTS)
    out = toy.path / "nohooks.json"
    result = toy.runpytest_subprocess(*ONLY_FITS, "-k", "gd_fits and not exactly or finite",
                                      "--arch=two-layer=nohooks:output_only", f"--report={out}")
    result.stdout.fnmatch_lines(["*toy/reads-weights*skip*has no neuron_input_weights()*"])
    _, rows = claims_of(out)
    assert rows["toy/fits"]["verdict"] == "pass"
    assert rows["toy/reads-weights"]["verdict"] == "skip"
    assert "has no neuron_input_weights()" in rows["toy/reads-weights"]["skip_reason"]
