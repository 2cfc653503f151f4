"""Contracts of the roles the grokking claims train: transformer, embedding-mlp,
diagonal-linear, matrix-factorisation."""

import pytest
import torch

from harness import measures
from harness.models import NORM_PLACEMENTS, TransformerSpec, transformer
from harness.roles import ROLES, check_factory


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


@pytest.mark.parametrize("fields, message", [
    ({"d_model": 10, "n_heads": 4}, "not divisible"),
    ({"norm": "sandwich"}, "norm 'sandwich' not in"),
    ({"vocab": 0}, "vocab must be >= 1"),
])
def test_bad_transformer_specs_say_why(fields, message):
    with pytest.raises(ValueError, match=message):
        TransformerSpec(**{"vocab": 5, "max_len": 3, **fields})
