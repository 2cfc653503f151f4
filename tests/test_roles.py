"""Role contracts and loading --arch factories."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from harness.models import TwoLayerSpec, two_layer_net
from harness.roles import ROLES, ArchitectureError, Architectures, check_factory, load_factory

ROLE = ROLES["two-layer"]


def test_default_factory_fits_its_contract():
    check_factory(ROLE, two_layer_net)


def test_antisymmetric_init_is_zero_and_deterministic():
    spec = TwoLayerSpec(in_dim=2, width=6, antisymmetric=True, dtype=torch.float64)
    net = two_layer_net(spec, torch.Generator().manual_seed(3))
    again = two_layer_net(spec, torch.Generator().manual_seed(3))
    x = torch.randn(4, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    assert net(x).abs().max() < 1e-12
    assert torch.equal(net.neuron_input_weights(), again.neuron_input_weights())


@given(scale=st.floats(0.01, 100), seed=st.integers(0, 2**31))
def test_without_biases_the_relu_net_is_positively_homogeneous(scale, seed):
    spec = TwoLayerSpec(in_dim=3, width=8, w_std=4.0, a_std=4.0, bias=False,
                        dtype=torch.float64)
    net = two_layer_net(spec, torch.Generator().manual_seed(seed))
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        assert torch.allclose(net(scale * x), scale * net(x), rtol=1e-9, atol=1e-12)
    assert "b" not in dict(net.named_parameters())
    assert torch.equal(net.neuron_input_weights()[:, -1], torch.zeros(8, dtype=torch.float64))
    ROLE.check(net, spec)


def test_a_net_with_biases_fails_the_bias_free_contract():
    spec = TwoLayerSpec(in_dim=3, width=8, bias=False)
    with_biases = two_layer_net(TwoLayerSpec(in_dim=3, width=8), torch.Generator().manual_seed(0))
    with pytest.raises(ArchitectureError, match="bias=False with relu must give f"):
        ROLE.check(with_biases, spec)


class WrongShape(nn.Module):
    def __init__(self, spec, generator):
        super().__init__()
        self.spec = spec

    def forward(self, x):
        return x.sum(dim=1)


class NoHooks(nn.Module):
    def __init__(self, spec, generator):
        super().__init__()
        self.out_dim = spec.out_dim

    def forward(self, x):
        return torch.zeros(len(x), self.out_dim, dtype=x.dtype)


def raises(spec, generator):
    raise RuntimeError("boom")


@pytest.mark.parametrize("factory, message", [
    (WrongShape, "expected (5, 2)"),
    (lambda spec, generator: "not a model", "not a torch.nn.Module"),
    (raises, "factory raised RuntimeError: boom"),
])
def test_misfitting_factories_are_refused_with_one_line(factory, message):
    with pytest.raises(ArchitectureError) as info:
        check_factory(ROLE, factory)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_missing_hook_skips_only_the_claims_that_read_it():
    assert check_factory(ROLE, NoHooks) == "neuron_input_weights"
    archs = Architectures({"two-layer": (NoHooks, "mine:NoHooks")},
                          {"two-layer": "neuron_input_weights"})
    model = archs.build("two-layer", torch.Generator(), in_dim=2, width=4)
    assert model(torch.zeros(3, 2)).shape == (3, 1)
    with pytest.raises(pytest.skip.Exception, match="two-layer=mine:NoHooks has no "
                                                    "neuron_input_weights()"):
        model.neuron_input_weights()


@pytest.mark.parametrize("target, message", [
    ("no_colon", "neither module:callable nor a registered architecture"),
    (":f", "not of the form module:callable"),
    ("surely_not_a_module_xyz:f", "cannot import module"),
    ("math:no_such_thing", "has no attribute"),
    ("math:pi", "not callable"),
])
def test_load_factory_errors(target, message):
    with pytest.raises(ArchitectureError, match=message):
        load_factory(target)


def test_registered_architectures_load_by_name(monkeypatch):
    class EntryPoint:
        name = "mine"

        def load(self):
            return two_layer_net

    def fake_entry_points(group, name=None):
        assert group == "phenomena.architectures"
        return [EntryPoint()] if name in (None, "mine") else []

    monkeypatch.setattr("harness.roles.entry_points", fake_entry_points)
    assert Architectures.from_options(["two-layer=mine"]).origin("two-layer") == "mine"
    with pytest.raises(ArchitectureError, match="entry points in 'phenomena.architectures': mine"):
        load_factory("theirs")


def test_architectures_record_their_origin():
    archs = Architectures.from_options(["two-layer=harness.models:two_layer_net"])
    assert archs.origin("two-layer") == "harness.models:two_layer_net"
    with pytest.raises(ArchitectureError, match="unknown role 'no-such-role'"):
        Architectures.from_options(["no-such-role=harness.models:two_layer_net"])
