"""Many independent trials of one small model, trained as one batched computation.

Experiments that report the share of trials in which something happens (a target recovered from
n samples) need tens of independent models; built one by one through a role and trained in a
Python loop they cost tens of seconds. `Ensemble` stacks the parameters of independently built
models along a leading trial axis (torch.func) and maps the models' own forward over it, so any
factory of the role (an `--arch` replacement too) runs unchanged. Each trial's loss depends only
on its own parameters, so plain gradient descent on the sum of the trials' losses is gradient
descent on each trial separately.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap


class Ensemble(nn.Module):
    """`forward(x)` with x of shape (trials, ...) runs trial t's model on x[t]."""

    def __init__(self, models: Sequence[nn.Module]):
        super().__init__()
        if not models:
            raise ValueError("Ensemble needs at least one model")
        params, buffers = stack_module_state(list(models))
        self.names = list(params)
        self.stacked = nn.ParameterList(nn.Parameter(params[name]) for name in self.names)
        self.buffer_values = buffers
        self.template = [copy.deepcopy(models[0]).to("meta")]  # a list: not a submodule

    @property
    def trials(self) -> int:
        return self.stacked[0].shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        template = self.template[0]

        def one(params: tuple[torch.Tensor, ...], buffers: dict, xt: torch.Tensor):
            named = dict(zip(self.names, params, strict=True))
            return functional_call(template, (named, buffers), (xt,))

        return vmap(one)(tuple(self.stacked), self.buffer_values, x)


def batched_mse(ensemble: Ensemble, x: torch.Tensor, y: torch.Tensor):
    """Sum over trials of each trial's half mean squared error, as a closure (x, y carry the
    trial axis first)."""
    return lambda: 0.5 * (ensemble(x) - y).pow(2).flatten(1).mean(1).sum()
