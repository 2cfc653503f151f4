"""The degenerate models meet their roles' contracts and are broken as documented."""

import pytest
import torch

from harness import degenerate
from harness.degenerate import BREAKAGES, STEPS_BEFORE_BREAKING
from harness.models import TwoLayerSpec
from harness.roles import ROLES, ArchitectureError, check_factory


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_a_broken_factory_meets_its_role_contract_or_is_refused_in_one_line(role, breakage):
    factory = getattr(getattr(degenerate, breakage), role.replace("-", "_"))
    try:
        assert check_factory(ROLES[role], factory) is None
    except ArchitectureError as refused:
        assert breakage == "blind" and "\n" not in str(refused)
        assert role not in degenerate.breakable_roles(breakage)


@pytest.mark.parametrize("breakage", ["frozen", "nan", "noise"])
def test_breakages_that_start_after_a_few_steps_fit_every_contract(breakage):
    assert degenerate.breakable_roles(breakage) == list(ROLES)


def two_layer(breakage):
    spec = TwoLayerSpec(in_dim=3, width=8, activation="tanh")
    return getattr(degenerate, breakage).two_layer(spec, torch.Generator().manual_seed(0))


def train_steps(model, steps):
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    x = torch.randn(16, 3, generator=torch.Generator().manual_seed(1))
    for _ in range(steps):
        optimiser.zero_grad()
        model(x).pow(2).mean().backward()
        optimiser.step()
    return x


def test_blind_ignores_its_input_but_trains():
    model = two_layer("blind")
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(2))
    out = model(x)
    assert torch.allclose(out, out[:1].expand_as(out))
    before = model.neuron_input_weights().clone()
    train_steps(model, 5)
    assert not torch.equal(before, model.neuron_input_weights())


def test_frozen_stops_moving_nan_and_noise_break_after_a_few_steps():
    frozen, nan, noise = (two_layer(b) for b in ("frozen", "nan", "noise"))
    x = train_steps(frozen, STEPS_BEFORE_BREAKING)
    assert torch.isfinite(nan(x)).all()
    weights = frozen.neuron_input_weights().clone()
    train_steps(frozen, 5)
    assert torch.equal(weights, frozen.neuron_input_weights())
    train_steps(nan, STEPS_BEFORE_BREAKING + 1)
    assert torch.isnan(nan(x)).all()
    train_steps(noise, STEPS_BEFORE_BREAKING + 1)
    assert not torch.equal(noise(x), noise(x))


def test_the_speed_path_is_not_passed_through():
    model = two_layer("blind")
    assert not hasattr(model, "last_logits")
    assert callable(model.neuron_output_weights)


def test_arch_options_cover_every_role():
    options = degenerate.arch_options("nan")
    assert len(options) == len(ROLES)
    assert "--arch=two-layer=harness.degenerate:blind.two_layer" in degenerate.arch_options(
        "blind")
    assert "--arch=two-layer=harness.degenerate:nan.two_layer" in options


FAST_CLAIMS = "directions_match_multiplicity or condensed_net_reduces or accuracy_falls_late"


def test_sanity_check_on_fast_claims_no_broken_model_passes(tmp_path):
    from harness import sanity

    assert sanity.main(["--out", str(tmp_path), "--", "-k", FAST_CLAIMS]) == 0
    table = (tmp_path / "sanity.md").read_text()
    for claim_id in ("condensation/initial-multiplicity", "condensation/reduction",
                     "grokking/misgrokking"):
        assert f"| `{claim_id}` |" in table
    assert "| NO |" not in table and "| pass |" not in table


def shared_forward(run):
    net = run.role("two-layer", in_dim=3, width=4)
    net(torch.zeros(2, 3))
    return 1.0


def test_a_run_counts_the_breakages_of_its_models_and_of_the_shared_runs_it_reads():
    from harness.roles import Architectures
    from harness.run import Run, Settings

    settings = Settings("ci", 0, torch.device("cpu"), Architectures.from_options(
        ["two-layer=harness.degenerate:blind.two_layer"]))
    first = Run(7, settings)  # seeds are measured one after another, as claims do
    first.shared(shared_forward)
    second = Run(7, settings)
    second.shared(shared_forward)
    assert first.breakages == second.breakages == 1
    healthy = Run(7, Settings("ci", 0, torch.device("cpu"), Architectures.from_options([])))
    healthy.shared(shared_forward)
    assert healthy.breakages == 0
