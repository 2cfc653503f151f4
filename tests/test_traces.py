"""Traces: bounded when stored, free when not kept, unchanged numbers when kept, shipped from xdist
workers, cached with the claim; and every row's provenance."""

import json

import numpy as np
import pytest
import torch

from harness import train
from harness.roles import Architectures
from harness.run import Run, Settings
from harness.traces import MAX_ARRAY_SIZE, MAX_POINTS, Traces, thinned

TRACED_CLAIMS = '''
import torch
from harness import claim, control, paper, train

@claim(id="toy/traced", statement="Gradient descent lowers the loss of a small network.",
       source=paper("xu2019frequency", "toy"), metric="final loss / initial loss",
       holds_if=("<", 0.5), control=control("no training", steps=0))
def traced(run, steps=300):
    x = torch.randn(32, 2, generator=run.generator)
    net = run.role("two-layer", in_dim=2, width=16, activation="tanh")
    loss = train.mse(net, x, x.sum(dim=1, keepdim=True))
    before = float(loss().detach())

    def observe(step):
        if run.tracing:
            run.trace("training loss", step, loss(), level=0.1 * before)
        return False

    train.fit(loss, torch.optim.SGD(net.parameters(), lr=0.2), steps, observe=observe)
    run.trace_array("input weights", net.neuron_input_weights())
    return float(loss().detach()) / before
'''


def settings(traces: bool) -> Settings:
    return Settings("ci", 0, torch.device("cpu"), Architectures.from_options([]), traces=traces)


def test_curves_and_arrays_are_bounded_and_rounded():
    traces = Traces()
    for step in range(5000):
        traces.curve("loss", step, 1 / (step + 1) + 1e-9, "step", None)
    traces.array("map", np.ones((300, 300)) / 3)
    data = traces.data()
    curve = data["curves"]["loss"]
    assert len(curve["x"]) <= MAX_POINTS and curve["x"][0] == 0 and curve["x"][-1] == 4999
    assert curve["y"][0] == 1.0 and curve["y"][1] == float(f"{curve['y'][1]:.4g}")
    array = np.array(data["arrays"]["map"])
    assert array.size <= MAX_ARRAY_SIZE and array.ndim == 2 and array[0, 0] == 0.3333
    assert thinned(3, MAX_POINTS) == [0, 1, 2]


def test_a_run_that_keeps_no_traces_records_nothing():
    run = Run(1, settings(traces=False))
    run.trace("loss", 0, 1.0)
    run.trace_array("map", [1.0])
    assert run.traced is None and not run.tracing
    kept = Run(1, settings(traces=True))
    kept.trace("loss", 0, torch.tensor(2.0, requires_grad=True) * 2)
    assert kept.traced.data()["curves"]["loss"]["y"] == [4.0]


def test_trace_accuracy_records_the_accuracy_and_never_stops_the_run():
    targets = torch.tensor([0, 1, 1, 0])
    logits = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])  # 3 of 4 right
    kept = Run(1, settings(traces=True))
    observe = train.trace_accuracy(kept, "accuracy", lambda: logits, targets, level=0.9)
    assert observe(0) is False and observe(10) is False
    curve = kept.traced.data()["curves"]["accuracy"]
    assert curve["x"] == [0.0, 10.0] and curve["y"] == [0.75, 0.75] and curve["level"] == 0.9
    untraced = Run(1, settings(traces=False))
    assert train.trace_accuracy(untraced, "accuracy", lambda: 1 / 0, targets)(0) is False


def shared_curve(run, n):
    for i in range(n):
        run.trace("shared", i, float(torch.rand(1, generator=run.generator)))
    return n


def test_a_shared_run_hands_its_traces_to_every_seed_that_reads_it():
    first, second = Run(3, settings(True)), Run(3, settings(True))
    first.shared(shared_curve, n=4)
    second.shared(shared_curve, n=4)
    assert first.traced.data() == second.traced.data()
    assert len(second.traced.data()["curves"]["shared"]["x"]) == 4


@pytest.fixture
def toy(pytester):
    pytester.makepyfile(test_toy=TRACED_CLAIMS)
    return pytester


def row_of(path):
    return json.loads(path.read_text())["claims"][0]


def test_traces_ship_from_xdist_workers_keep_the_numbers_and_are_cached(toy):
    """An untraced run fills the cache; a traced one under -n 2 recomputes (the cached outcome
    has no traces) with the same values; a third replays traces and provenance from the cache."""
    plain, parallel, replayed = (toy.path / name for name in ("plain.csv", "par.json",
                                                               "again.json"))
    toy.runpytest_subprocess(f"--report={plain}")
    toy.runpytest_subprocess("-n", "2", f"--report={parallel}")
    toy.runpytest_subprocess(f"--report={replayed}")
    row, again = row_of(parallel), row_of(replayed)
    plain_values = plain.read_text().splitlines()[1].split(",")[7]
    assert [float(v) for v in plain_values.split(";")] == row["values"]
    assert [row["cached"], again["cached"]] == [False, True]
    assert again["traces"] == row["traces"] and again["provenance"] == row["provenance"]
    claim_seeds, control_seeds = row["traces"]["claim"], row["traces"]["control"]
    assert len(claim_seeds) == len(control_seeds) == 3
    loss = claim_seeds[0]["curves"]["training loss"]
    assert len(loss["x"]) == MAX_POINTS and loss["x"][-1] == 300 and loss["level"] > 0
    assert len(control_seeds[0]["curves"]["training loss"]["x"]) == 1
    assert np.array(claim_seeds[0]["arrays"]["input weights"]).shape == (16, 3)
    where = row["provenance"]
    assert set(where) == {"host", "device", "torch", "commit", "harness_hash"}
    assert where["device"].startswith("cpu (") and where["torch"] == torch.__version__
    assert len(where["harness_hash"]) == 16
