"""The orthogonal noise of the reasoning claims: orthogonal draws, a fixed offset of the stated
size, nothing changed at scale 0."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.models import TransformerSpec, transformer
from harness.noise import add_orthogonal_noise
from harness.seeding import random_orthogonal

SPEC = TransformerSpec(vocab=7, max_len=4, n_layers=2, d_model=8, n_heads=2, d_ff=16)


@given(size=st.integers(1, 16), seed=st.integers(0, 2**31))
@settings(deadline=None)
def test_random_orthogonal_is_orthogonal_and_seeded(size, seed):
    q = random_orthogonal(size, torch.Generator().manual_seed(seed))
    torch.testing.assert_close(q @ q.T, torch.eye(size, dtype=q.dtype), atol=1e-5, rtol=0)
    assert torch.equal(q, random_orthogonal(size, torch.Generator().manual_seed(seed)))


@pytest.mark.parametrize("scale", [0.0, 0.7])
def test_noise_is_a_fixed_offset_of_scale_times_an_orthogonal_matrix(scale):
    net = transformer(SPEC, torch.Generator().manual_seed(0))
    clean = {name: w.detach().clone() for name, w in net.named_parameters()}
    tokens = torch.randint(7, (3, 4), generator=torch.Generator().manual_seed(1))
    before = net(tokens).detach()
    add_orthogonal_noise(net, scale, torch.Generator().manual_seed(2))
    for layer, block in enumerate(net.blocks):
        offset = block.attention.w_qkv - clean[f"blocks.{layer}.attention.w_qkv"]
        for part in offset.detach().chunk(3, dim=1):  # queries, keys, values
            torch.testing.assert_close(part @ part.T, scale**2 * torch.eye(8), atol=1e-5, rtol=0)
    if scale == 0:
        torch.testing.assert_close(net(tokens), before)
    else:
        assert not torch.allclose(net(tokens), before)


def test_a_model_without_attention_weights_skips():
    with pytest.raises(pytest.skip.Exception, match="orthogonal noise"):
        add_orthogonal_noise(torch.nn.Linear(3, 3), 0.5, torch.Generator().manual_seed(0))


class SeparateProjections(torch.nn.Module):
    """A user's attention weights kept as four separate parameters per layer."""

    def __init__(self, d: int = 8, layers: int = 2):
        super().__init__()
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.zeros(d, d)) for _ in range(4 * layers))

    def attention_weights(self):
        w = list(self.weights)
        return [dict(zip(("query", "key", "value", "output"), w[4 * i:4 * i + 4], strict=True))
                for i in range(len(w) // 4)]


def test_noise_reaches_any_model_that_names_its_attention_weights_with_the_same_draws():
    user = SeparateProjections()
    add_orthogonal_noise(user, 0.7, torch.Generator().manual_seed(2))
    default = transformer(SPEC, torch.Generator().manual_seed(0))
    clean = [block.attention.w_qkv.detach().clone() for block in default.blocks]
    add_orthogonal_noise(default, 0.7, torch.Generator().manual_seed(2))
    for layer, block in enumerate(default.blocks):
        fused = (block.attention.w_qkv - clean[layer]).detach()
        for part, offset in enumerate(fused.chunk(3, dim=1)):
            torch.testing.assert_close(user.weights[4 * layer + part], offset)


def test_the_role_contract_checks_the_hook():
    from harness.roles import ROLES, ArchitectureError

    class WrongShape(torch.nn.Module):
        def __init__(self, spec, generator):
            super().__init__()
            self.inner = transformer(spec, generator)
            self.extra = torch.nn.Parameter(torch.zeros(3, 3))

        def forward(self, tokens):
            return self.inner(tokens)

        def attention_maps(self):
            return self.inner.attention_maps()

        def features(self):
            return self.inner.features()

        def attention_weights(self):
            return [{part: self.extra for part in ("query", "key", "value", "output")}
                    for _ in self.inner.blocks]

    role = ROLES["transformer"]
    with pytest.raises(ArchitectureError, match=r"attention_weights\(\)\[0\]\['query'\]"):
        role.check(WrongShape(role.probe, torch.Generator().manual_seed(0)), role.probe)
    role.check(transformer(role.probe, torch.Generator().manual_seed(0)), role.probe)
