"""The attention measures of the anchor claims, and the stripped transformer they are read on."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import measures
from harness.contracts import check_transformer
from harness.models import TransformerSpec, transformer


def routed_maps(key_positions: torch.Tensor, seq: int, onto_anchor: bool):
    """Maps of two layers that route each key to the last position exactly: layer 1 moves the
    key onto the anchor's position (or the anchor onto the key's), layer 2 reads that position."""
    batch = len(key_positions)
    first = torch.full((batch, 1, seq, seq), 1.0 / seq)
    second = torch.full((batch, 1, seq, seq), 1.0 / seq)
    for row, key in enumerate(key_positions.tolist()):
        source, target = (key - 1, key) if onto_anchor else (key, key - 1)
        first[row, 0, source] = torch.nn.functional.one_hot(torch.tensor(target), seq)
        second[row, 0, seq - 1] = torch.nn.functional.one_hot(torch.tensor(source), seq)
    return first, second


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 9).flatmap(lambda seq: st.tuples(
    st.just(seq), st.lists(st.integers(1, seq - 2), min_size=1, max_size=6))), st.booleans())
def test_an_exact_route_in_either_direction_scores_one(setting, onto_anchor):
    seq, keys = setting
    first, second = routed_maps(torch.tensor(keys), seq, onto_anchor)
    assert measures.shift_then_broadcast(first, second, torch.tensor(keys)) == pytest.approx(1)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 9), st.integers(1, 6))
def test_uniform_attention_scores_one_over_the_length(seq, batch):
    uniform = torch.full((batch, 2, seq, seq), 1.0 / seq)
    keys = torch.ones(batch, dtype=torch.long)
    assert measures.shift_then_broadcast(uniform, uniform, keys) == pytest.approx(1 / seq)


def test_a_route_without_its_broadcast_scores_what_the_broadcast_gives():
    keys = torch.tensor([2, 3])
    first, _ = routed_maps(keys, 6, onto_anchor=True)
    uniform = torch.full_like(first, 1 / 6)
    assert measures.shift_then_broadcast(first, uniform, keys) == pytest.approx(1 / 6)


def test_mismatched_shapes_are_refused_in_one_line():
    with pytest.raises(ValueError, match="expected two maps of one shape"):
        measures.shift_then_broadcast(torch.ones(2, 1, 4, 4), torch.ones(2, 1, 5, 5),
                                      torch.tensor([1, 2]))


STRIPPED = TransformerSpec(vocab=12, max_len=6, n_layers=2, d_model=12, n_heads=1, norm="none",
                           causal=False, mlp=False, residual=False, attention_output=False,
                           unembedding=False)


def test_the_stripped_model_keeps_the_role_contract():
    model = transformer(STRIPPED, torch.Generator().manual_seed(0))
    check_transformer(model, STRIPPED)
    assert not any(name.startswith(("blocks.0.mlp", "unembedding")) for name, _ in
                   model.named_parameters())
    assert all("output" not in layer for layer in model.attention_weights())


def test_without_an_unembedding_d_model_must_equal_the_vocabulary():
    with pytest.raises(ValueError, match="d_model .* must equal vocab"):
        TransformerSpec(vocab=12, max_len=6, d_model=16, unembedding=False)
