"""Contracts of the roles the grokking claims train: transformer, embedding-mlp,
diagonal-linear, matrix-factorisation."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import measures, train
from harness.models import NORM_PLACEMENTS, TransformerSpec, transformer
from harness.roles import ROLES, ArchitectureError, check_factory


@pytest.mark.parametrize("name", ["transformer", "embedding-mlp", "diagonal-linear",
                                  "matrix-factorisation"])
def test_default_factories_fit_their_contracts(name):
    check_factory(ROLES[name], ROLES[name].default)


@pytest.mark.parametrize("norm", NORM_PLACEMENTS)
@pytest.mark.parametrize("causal", [True, False])
def test_every_norm_placement_fits_the_contract(norm, causal):
    spec = TransformerSpec(vocab=5, max_len=4, n_layers=2, d_model=8, n_heads=2, d_ff=16,
                           norm=norm, causal=causal, bias=True, final_norm=True)
    ROLES["transformer"].check(transformer(spec, torch.Generator().manual_seed(0)), spec)


def test_init_std_sets_every_weight_matrix_and_is_seeded():
    spec = TransformerSpec(vocab=50, max_len=3, d_model=32, n_heads=4, d_ff=64, init_std=0.01)
    net = transformer(spec, torch.Generator().manual_seed(1))
    again = transformer(spec, torch.Generator().manual_seed(1))
    for (name, w), (_, w_again) in zip(net.named_parameters(), again.named_parameters(),
                                       strict=True):
        assert torch.equal(w, w_again)
        if w.dim() == 2:
            assert 0.008 < float(w.detach().std()) < 0.012, name


def test_uniform_attention_has_entropy_log_keys():
    assert measures.attention_entropy(torch.full((2, 3), 1 / 3)) == pytest.approx(1.0986, 1e-4)


evaluations = st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0.5, 100)),
                       min_size=1, max_size=20)


@given(evaluations)
def test_fall_while_memorised_is_the_lowest_memorised_value_over_the_first(runs):
    train_accuracy, test_accuracy, ranks = zip(*runs, strict=True)
    before = next((k for k, test in enumerate(test_accuracy) if test >= 0.5), len(runs))
    memorised = [r for fit, _, r in runs[:before] if fit >= 0.99]
    value = measures.fall_while_memorised(train_accuracy, test_accuracy, ranks)
    if not memorised:
        assert math.isnan(value)
    else:
        assert 0 < value <= 1
        assert value == pytest.approx(min(memorised) / memorised[0])


def test_fall_while_memorised_ignores_evaluations_before_the_fit_and_after_generalising():
    train_accuracy = [0.2, 1.0, 1.0, 1.0, 1.0]
    test_accuracy = [0.0, 0.4, 0.45, 0.9, 0.3]  # the last: a spike back, after generalising
    ranks = [10.0, 50.0, 40.0, 20.0, 15.0]
    assert measures.fall_while_memorised(train_accuracy, test_accuracy, ranks) == 0.8


@pytest.mark.parametrize("fields, message", [
    ({"d_model": 10, "n_heads": 4}, "not divisible"),
    ({"norm": "sandwich"}, "norm 'sandwich' not in"),
    ({"vocab": 0}, "vocab must be >= 1"),
])
def test_bad_transformer_specs_say_why(fields, message):
    with pytest.raises(ValueError, match=message):
        TransformerSpec(**{"vocab": 5, "max_len": 3, **fields})


@given(layers=st.integers(1, 3), seq=st.integers(1, 5), norm=st.sampled_from(NORM_PLACEMENTS),
       causal=st.booleans(), bias=st.booleans(), seed=st.integers(0, 2**31))
@settings(max_examples=25, deadline=None)
def test_last_logits_is_the_last_position_of_forward(layers, seq, norm, causal, bias, seed):
    spec = TransformerSpec(vocab=7, max_len=5, n_layers=layers, d_model=8, n_heads=2, d_ff=16,
                           norm=norm, causal=causal, bias=bias, init_std=0.5)
    net = transformer(spec, torch.Generator().manual_seed(seed))
    tokens = torch.randint(7, (4, seq), generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        full = net(tokens)
        maps = net.attention_maps()
        fast = net.last_logits(tokens[:2])
    torch.testing.assert_close(fast, full[:2, -1], rtol=1e-5, atol=1e-5)
    assert net.attention_maps() is maps  # the speed path leaves the hooks alone


def test_a_last_logits_that_disagrees_with_forward_is_refused():
    spec = ROLES["transformer"].probe

    class Shifted(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = transformer(spec, torch.Generator().manual_seed(0))

        def forward(self, tokens):
            return self.inner(tokens)

        def attention_maps(self):
            return self.inner.attention_maps()

        def features(self):
            return self.inner.features()

        def last_logits(self, tokens):
            return self.inner.last_logits(tokens) + 1

    with pytest.raises(ArchitectureError, match=r"last_logits\(tokens\) differs"):
        ROLES["transformer"].check(Shifted(), spec)


def test_a_non_callable_last_logits_attribute_is_not_a_speed_path():
    spec = ROLES["transformer"].probe
    net = transformer(spec, torch.Generator().manual_seed(0))
    net.last_logits = torch.zeros(1)  # say, a model that keeps its last output under that name
    ROLES["transformer"].check(net, spec)
    tokens = torch.randint(spec.vocab, (3, spec.max_len),
                           generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(train.last_position_logits(net, tokens), net(tokens)[:, -1])
