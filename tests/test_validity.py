"""Valid measurements: an invalid seed never supports a claim nor refutes it, a decided verdict
stops early only when asked, and a crash on a user's model is one line naming the model."""

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from harness import binomial, claim, control, every_seed, majority, paper
from harness.claims import ModelFault
from harness.roles import Architectures
from harness.run import Run, Settings

rules = st.sampled_from([every_seed, majority, binomial()])
measurements = st.lists(st.tuples(st.floats(-2, 2), st.one_of(st.none(), st.just("why"))),
                        max_size=8)


def declare(rule=every_seed, op=">", threshold=0.0):
    @claim(id="toy/validity", statement="s", source=paper("xu2019frequency", "toy"), metric="m",
           holds_if=(op, threshold), control=control("c", knob=1), verdict=rule)
    def experiment(run, knob=0):
        return 0.0

    return experiment


@given(rules, measurements)
def test_an_invalid_seed_succeeds_on_neither_side(rule, measured):
    toy = declare(rule)
    values = [v for v, _ in measured]
    invalid = [why for _, why in measured]
    for side in ("claim", "control"):
        successes = toy.successes(side, values, invalid)
        assert not any(s for s, why in zip(successes, invalid, strict=True) if why)
    # Marking seeds invalid only takes support away, on both sides.
    assert not toy.holds(values, invalid) or toy.holds(values)
    assert not toy.refuted_by(values, invalid) or toy.refuted_by(values)


@given(rules, measurements, st.integers(0, 4))
def test_a_side_decided_against_stays_rejected_whatever_follows(rule, measured, more):
    toy = declare(rule)
    values = [v for v, _ in measured]
    invalid = [why for _, why in measured]
    total = len(values) + more
    if toy.decided_against("claim", values, invalid, total):
        for fill in (1.0, -1.0):
            assert not toy.holds(values + [fill] * more, invalid + [None] * more)


def settings(*arch):
    return Settings("ci", 0, torch.device("cpu"), Architectures.from_options(list(arch)))


def test_run_require_records_reasons_and_returns_the_condition():
    run = Run(1, settings())
    assert run.require(True, "fine") and run.invalid == []
    assert not run.require(False, "loss diverged")
    assert run.invalid == ["loss diverged"]


def experiment_claim(body):
    @claim(id="toy/body", statement="s", source=paper("xu2019frequency", "toy"), metric="m",
           holds_if=(">", 0.5), control=control("flipped", flipped=True))
    def experiment(run, flipped=False):
        return body(run, flipped)

    return experiment


def test_invalid_control_seeds_do_not_refute():
    def body(run, flipped):
        run.require(not flipped, "the control never fitted")
        return 0.0 if flipped else 1.0

    toy = experiment_claim(body)
    outcome = toy.evaluate(settings())
    assert outcome.values == [1.0] * 3 and outcome.invalid == [None] * 3
    assert outcome.control_invalid == ["the control never fitted"] * 3
    assert not toy.passed(outcome)
    assert "invalid control seed 1: the control never fitted" in toy.explain(outcome)


def test_non_finite_values_are_invalid_and_stop_when_decided_skips_the_control():
    toy = experiment_claim(lambda run, flipped: math.nan)
    outcome = toy.evaluate(settings(), stop_when_decided=True)
    assert len(outcome.values) == 1 and outcome.control_values == []
    assert outcome.stopped_early and outcome.invalid == ["the measured value is nan"]
    assert len(toy.evaluate(settings()).control_values) == 3


def test_a_crash_on_a_user_model_is_one_line_naming_it_and_the_harness_own_crash_propagates():
    def body(run, flipped):
        run.role("two-layer", in_dim=2, width=4)
        raise RuntimeError("One of the differentiated Tensors appears to not have been used\n"
                           "in the graph")

    toy = experiment_claim(body)
    with pytest.raises(RuntimeError, match="differentiated"):
        toy.evaluate(settings())
    with pytest.raises(ModelFault) as fault:
        toy.evaluate(settings("two-layer=harness.degenerate:blind.two_layer"))
    message = str(fault.value)
    assert "\n" not in message
    assert message.startswith("toy/body, claim side, seed 1 of 3: the experiment failed on the "
                              "model of --arch two-layer=harness.degenerate:blind.two_layer: "
                              "RuntimeError: One of the differentiated")
