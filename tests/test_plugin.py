"""The plugin end to end, on toy claims: options, verdicts, report files, xdist equivalence."""

import json
import sys

import pytest
from saved_rows import rows_of

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


def test_verdicts_and_all_report_formats(toy):
    paths = [toy.path / f"out/claims.{ext}" for ext in ("json", "md", "tex", "csv")]
    result = toy.runpytest_subprocess(*[f"--report={p}" for p in paths])
    result.stdout.fnmatch_lines(["*phenomena claims*", "*toy/fits *pass*"])
    report, rows = rows_of(paths[0])
    assert {k: r["verdict"] for k, r in rows.items()} == {
        "toy/fits": "pass", "toy/fits-again": "pass", "toy/impossible": "fail",
        "toy/expected-failure": "xfail", "toy/crashes": "error"}
    fits = rows["toy/fits"]
    assert len(fits["values"]) == len(fits["seeds"]) == 3
    assert all(v < 0.5 for v in fits["values"])
    assert fits["control"] == {"condition": "no training", "values": [1.0, 1.0, 1.0],
                               "invalid": [None, None, None]}
    assert fits["invalid"] == [None, None, None]
    assert fits["arch"] == {"two-layer": "default"} and fits["rule"] == "holds in every seed"
    assert report["environment"]["scale"] == "ci" and report["environment"]["base_seed"] == 0
    for path in paths[1:]:
        text = path.read_text()
        assert all(claim_id.replace("_", r"\_") in text for claim_id in rows)


MARKED_BUT_HOLDS = '''
@claim(id="toy/fits-though-marked", holds_if=("<", 0.5), xfail="marked before it was fixed",
       **DECLARATION)
def gd_fits_though_marked(run, steps=100):
    return fit_ratio(run, steps)
'''


def test_a_claim_marked_xfail_that_holds_is_reported_xpass_not_pass(pytester):
    """A pasted table must not show a pass for a claim whose reason says it does not hold."""
    pytester.makepyfile(test_toy=TOY_CLAIMS + MARKED_BUT_HOLDS)
    path = pytester.path / "claims.json"
    result = pytester.runpytest_subprocess("-k", "fits-though-marked", f"--report={path}")
    result.assert_outcomes(xpassed=1)
    assert rows_of(path)[1]["toy/fits-though-marked"]["verdict"] == "xpass"


def test_serial_and_xdist_runs_are_bit_identical(toy):
    values = []
    for args in ([], [], ["-n", "2"]):
        out = toy.path / f"run{len(values)}.json"
        toy.runpytest_subprocess(*args, "-p", "no:cacheprovider", "-k", "gd_fits and not exactly",
                                 f"--report={out}")
        _, rows = rows_of(out)
        values.append({k: (r["values"], r["control"]["values"]) for k, r in rows.items()})
    assert values[0] == values[1] == values[2]
    assert len(values[0]) == 2


def test_claims_sharing_runs_form_one_group_and_run_on_one_worker(toy):
    from harness.scheduling import run_group_of_node

    assert run_group_of_node("test_toy.py::gd_fits_exactly", toy.path) == "toy/exactly"
    assert run_group_of_node("test_toy.py::gd_fits", toy.path) == "toy/fits"  # its own seed
    assert run_group_of_node("missing.py::f", toy.path) == "missing.py::f"
    result = toy.runpytest_subprocess("-n", "2", "-v", "-p", "no:cacheprovider")
    workers = {line.split("]")[0] for line in result.stdout.lines
               if line.startswith("[gw") and "gd_fits_exactly" in line}
    assert len(workers) == 1


def test_k_selects_claims_by_their_id(toy):
    result = toy.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", "-k", "toy/impossible")
    result.stdout.fnmatch_lines(["test_toy.py::gd_fits_exactly", "1/* tests collected*"])


def test_base_seed_changes_the_numbers(toy):
    outs = [toy.path / "a.json", toy.path / "b.json"]
    only = "gd_fits and not exactly and not again"
    toy.runpytest_subprocess("-k", only, f"--report={outs[0]}")
    toy.runpytest_subprocess("-k", only, "--base-seed=5", f"--report={outs[1]}")
    (_, first), (env, second) = rows_of(outs[0]), rows_of(outs[1])
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
    _, rows = rows_of(out)
    assert rows["toy/fits"]["arch"] == {"two-layer": "harness.models:two_layer_net"}


ONLY_FITS = ("-k", "gd_fits and not exactly")


def test_cache_replays_unchanged_claims_and_cache_clear_recomputes(toy):
    runs = [toy.path / f"cache{i}.json" for i in range(3)]
    toy.runpytest_subprocess(*ONLY_FITS, f"--report={runs[0]}")
    toy.runpytest_subprocess(*ONLY_FITS, f"--report={runs[1]}")
    toy.runpytest_subprocess(*ONLY_FITS, "--cache-clear", f"--report={runs[2]}")
    rows = [rows_of(path)[1]["toy/fits"] for path in runs]
    assert [row["cached"] for row in rows] == [False, True, False]
    assert rows[0]["values"] == rows[1]["values"] == rows[2]["values"]


def test_shards_partition_the_suite_and_merge_into_one_report(toy):
    shards = [toy.path / f"shard{k}.json" for k in (1, 2)]
    for k, path in enumerate(shards, start=1):
        toy.runpytest_subprocess("-p", "no:cacheprovider", f"--shard={k}/2", f"--report={path}")
    ids = [set(rows_of(path)[1]) for path in shards]
    assert not ids[0] & ids[1]
    assert len(ids[0] | ids[1]) == 5
    assert any({"toy/impossible", "toy/expected-failure"} <= shard for shard in ids)
    merged = toy.path / "merged.json"
    result = toy.run(sys.executable, "-m", "harness.merge", merged, *shards,
                     "--report", toy.path / "merged.md")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*toy/fits *pass*"])
    report, rows = rows_of(merged)
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
    _, rows = rows_of(out)
    assert rows["toy/fits"]["baseline"]["flipped"] is True
    assert rows["toy/fits-again"]["baseline"]["flipped"] is False


def test_plots_one_png_and_pdf_per_claim(toy):
    result = toy.runpytest_subprocess(*ONLY_FITS, f"--plots={toy.path / 'plots'}")
    result.stdout.fnmatch_lines(["*plots written*"])
    pngs = sorted(p.name for p in (toy.path / "plots").glob("*.png"))
    assert pngs == ["toy__fits-again.png", "toy__fits.png"]
    assert (toy.path / "plots" / "toy__fits.pdf").is_file()
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
    _, rows = rows_of(out)
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
    _, rows = rows_of(out)
    assert rows["toy/fits"]["verdict"] == "pass"
    assert rows["toy/reads-weights"]["verdict"] == "skip"
    assert "has no neuron_input_weights()" in rows["toy/reads-weights"]["skip_reason"]


VALIDITY_CLAIMS = '''
import os
import torch
from harness import claim, control, paper

DECLARATION = dict(statement="s", source=paper("xu2019frequency", "toy"), metric="m",
                   holds_if=(">", 0.5), control=control("flipped", flipped=True))

@claim(id="toy/needs-fit", **DECLARATION)
def needs_fit(run, flipped=False):
    run.require(flipped, "the training loss ended at 0.3, not below 1e-3")
    return 0.0 if flipped else 1.0

@claim(id="toy/input-gradient", **DECLARATION)
def input_gradient(run, flipped=False):
    net = run.role("two-layer", in_dim=2, width=4)
    x = torch.randn(3, 2, generator=run.generator, requires_grad=True)
    (gradient,) = torch.autograd.grad(net(x).sum(), x)
    return 0.0 if flipped else 1.0 + float(gradient.abs().sum())

@claim(id="toy/interrupts", **DECLARATION)
def interrupts(run, flipped=False):
    if os.environ.get("TOY_INTERRUPT"):
        raise KeyboardInterrupt
    return 0.0 if flipped else 1.0
'''


def test_invalid_seeds_fail_the_claim_and_are_reported_with_their_reason(pytester):
    pytester.makepyfile(test_validity_toy=VALIDITY_CLAIMS)
    out = pytester.path / "validity.json"
    result = pytester.runpytest_subprocess("-k", "needs_fit", f"--report={out}")
    result.stdout.fnmatch_lines(["*toy/needs-fit*fail*1! 1! 1!*",
                                 "*invalid measurements*",
                                 "*toy/needs-fit: claim seed 1: the training loss ended at 0.3*"])
    _, rows = rows_of(out)
    row = rows["toy/needs-fit"]
    assert row["verdict"] == "fail" and row["values"] == [1.0, 1.0, 1.0]
    assert row["invalid"] == ["the training loss ended at 0.3, not below 1e-3"] * 3
    assert "invalid claim seed 2" in row["reason"]
    stopped = pytester.path / "stopped.json"
    pytester.runpytest_subprocess("-k", "needs_fit", "--stop-when-decided", "-p",
                                  "no:cacheprovider", f"--report={stopped}")
    row = rows_of(stopped)[1]["toy/needs-fit"]
    assert row["values"] == [1.0] and row["control"]["values"] == [] and row["stopped_early"]


def test_an_interrupted_run_reports_what_finished_and_a_rerun_completes_the_rest(pytester,
                                                                                monkeypatch):
    pytester.makepyfile(test_validity_toy=VALIDITY_CLAIMS)
    first, second = pytester.path / "first.json", pytester.path / "second.json"
    monkeypatch.setenv("TOY_INTERRUPT", "1")
    result = pytester.runpytest_subprocess(f"--report={first}")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*the run was interrupted*"])
    report, rows = rows_of(first)
    assert "interrupted" in report["environment"]["incomplete"]
    assert set(rows) == {"toy/needs-fit", "toy/input-gradient"}
    monkeypatch.delenv("TOY_INTERRUPT")
    assert pytester.runpytest_subprocess(f"--report={second}").ret == pytest.ExitCode.TESTS_FAILED
    report, rows = rows_of(second)
    assert "incomplete" not in report["environment"]
    assert rows["toy/needs-fit"]["cached"] and not rows["toy/interrupts"]["cached"]
    assert rows["toy/interrupts"]["verdict"] == "pass"


def test_a_model_that_breaks_autograd_ends_the_claim_in_one_line_naming_it(pytester):
    pytester.makepyfile(test_validity_toy=VALIDITY_CLAIMS)
    out = pytester.path / "fault.json"
    result = pytester.runpytest_subprocess(
        "-k", "input_gradient", "--arch=two-layer=harness.degenerate:blind.two_layer",
        f"--report={out}")
    row = rows_of(out)[1]["toy/input-gradient"]
    assert row["verdict"] == "error"
    assert row["reason"].startswith(
        "toy/input-gradient, claim side, seed 1 of 3: the experiment failed on the model of "
        "--arch two-layer=harness.degenerate:blind.two_layer: RuntimeError: The differentiated "
        "Tensor at index 0 appears to not have been used in the graph")
    assert "Traceback" not in result.stdout.str() and "autograd/" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*toy/input-gradient*error*the experiment failed on the model*"])


NOT_REPORTS = {
    "truncated.json": '{"environment": {}, "claims": [{"id": "a", ',
    "foreign.json": '{"name": "another tool", "results": []}',
    "rowless.json": '{"environment": {}, "claims": [{"id": "a"}]}',
}


@pytest.mark.parametrize("name", list(NOT_REPORTS))
def test_compare_and_merge_refuse_what_is_not_a_report_in_one_line(toy, name):
    bad = toy.path / name
    bad.write_text(NOT_REPORTS[name])
    compared = toy.runpytest_subprocess(*ONLY_FITS, f"--compare={bad}")
    assert compared.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--compare {bad}: " in compared.stderr.str()
    merged = toy.run(sys.executable, "-m", "harness.merge", toy.path / "m.json", bad)
    assert merged.ret == 2
    lines = [line for line in merged.stderr.lines if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"python -m harness.merge: {bad}: ")
    for result in (compared, merged):
        assert "Traceback" not in result.stderr.str()
