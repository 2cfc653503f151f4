"""The batched ensemble trains each trial exactly as a loop over separate models would."""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import train
from harness.ensemble import Ensemble, batched_mse
from harness.models import TwoLayerSpec, two_layer_net


@settings(max_examples=10)
@given(st.integers(1, 4), st.integers(0, 2**31))
def test_vectorised_and_looped_training_agree(trials, seed):
    generator = torch.Generator().manual_seed(seed)
    spec = TwoLayerSpec(in_dim=2, width=6, activation="tanh", dtype=torch.float64)
    models = [two_layer_net(spec, generator) for _ in range(trials)]
    x = torch.randn(trials, 8, 2, generator=generator, dtype=torch.float64)
    y = torch.randn(trials, 8, 1, generator=generator, dtype=torch.float64)
    ensemble = Ensemble(models)
    train.fit(batched_mse(ensemble, x, y), torch.optim.SGD(ensemble.parameters(), lr=0.1), 20)
    for t, model in enumerate(models):
        train.fit(train.mse(model, x[t], y[t]), torch.optim.SGD(model.parameters(), lr=0.1), 20)
        for name, stacked in zip(ensemble.names, ensemble.stacked, strict=True):
            assert torch.allclose(stacked[t], dict(model.named_parameters())[name], atol=1e-12)
