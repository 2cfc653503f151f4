"""Seed derivation and verdict rules."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from harness.seeding import derive_seed, numpy_generator, torch_generator
from harness.stats import binomial, every_seed, majority, meets

ids = st.from_regex(r"[a-z]{1,8}/[a-z\-]{1,12}", fullmatch=True)


@given(st.integers(0, 2**31), ids, st.integers(0, 100))
def test_same_inputs_same_stream(base, claim_id, index):
    seed = derive_seed(base, claim_id, index)
    assert seed == derive_seed(base, claim_id, index)
    assert 0 <= seed < 2**63
    a = torch.randn(4, generator=torch_generator(seed))
    assert torch.equal(a, torch.randn(4, generator=torch_generator(seed)))
    assert numpy_generator(seed).random() == numpy_generator(seed).random()


@given(st.integers(0, 1000), ids, ids, st.integers(0, 10))
def test_different_claims_or_indices_different_streams(base, first, second, index):
    if first != second:
        assert derive_seed(base, first, index) != derive_seed(base, second, index)
    assert derive_seed(base, first, index) != derive_seed(base, first, index + 1)
    assert derive_seed(base, first, index) != derive_seed(base + 1, first, index)


def test_every_seed():
    assert every_seed.holds([True, True, True])
    assert not every_seed.holds([True, False, True])
    assert not every_seed.holds([])


@given(st.lists(st.booleans(), max_size=12))
def test_majority_is_more_than_half_and_never_holds_for_both_a_side_and_its_negation(successes):
    assert majority.holds(successes) == (sum(successes) > len(successes) / 2)
    assert not (majority.holds(successes) and majority.holds([not s for s in successes]))


@given(st.integers(1, 30))
def test_binomial_needs_significance(n):
    rule = binomial(alpha=0.05)
    assert rule.holds([True] * n) == (0.5**n < 0.05)
    assert not rule.holds([True, False] * n)


def test_binomial_known_values():
    rule = binomial(alpha=0.05)
    assert rule.holds([True] * 5)  # p = 1/32
    assert not rule.holds([True] * 4 + [False])  # p = 6/32
    assert rule.holds([True] * 9 + [False])  # p = 11/1024


def test_meets_each_comparison_and_nan():
    assert meets(2, ">", 1) and meets(1, ">=", 1) and meets(0, "<", 1) and meets(1, "<=", 1)
    assert not meets(float("nan"), ">", 0) and not meets(float("nan"), "<", 0)
