"""Incremental learning: from small initialisation a deep linear network learns its target's
singular modes one at a time, largest first, each after a plateau (saddle to saddle)."""

import math

import torch

from harness import claim, control, measures, paper, per_scale, train
from harness.seeding import random_orthogonal

SINGULAR_VALUES = (4.0, 2.0, 1.0, 0.5)


def mode_learning_times(run, init: str, init_std: float) -> float:
    """Saxe et al. 2014's setting: a depth-2 linear network W2 W1 (8 x 8, width 8, float64)
    trained by GD (lr 0.02) on the whitened loss 1/2 ||W2 W1 - W*||_F^2 (the network applied to
    the identity batch), W* = U diag(4, 2, 1, 0.5, 0, ...) V^T on Haar-random bases. Mode i is
    learnt at the first step at which u_i^T W2 W1 v_i >= s_i / 2. Returns the
    learning time of the smallest mode (0.5) over that of the largest (4)."""
    dim = 8
    u = random_orthogonal(dim, run.generator)
    v = random_orthogonal(dim, run.generator)
    s = torch.zeros(dim, dtype=torch.float64)
    s[:len(SINGULAR_VALUES)] = torch.tensor(SINGULAR_VALUES, dtype=torch.float64)
    target = u @ torch.diag(s) @ v.T
    eye, target, u, v = run.to_device(torch.eye(dim, dtype=torch.float64), target, u, v)
    net = run.role("deep-linear", in_dim=dim, out_dim=dim, width=dim, depth=2,
                   init_std=init_std, init=init, dtype=torch.float64)

    def loss() -> torch.Tensor:
        return 0.5 * (net(eye) - target.T).pow(2).sum()

    crossings = measures.FirstCrossings(**{f"mode{i}": value / 2
                                           for i, value in enumerate(SINGULAR_VALUES)})

    def observe(step: int) -> bool:
        with torch.no_grad():
            strengths = torch.diagonal(u.T @ net.end_to_end() @ v)
        for i, value in enumerate(SINGULAR_VALUES):
            run.trace(f"mode s = {value:g}: u^T W2 W1 v / s", step, strengths[i] / value,
                      level=0.5)
        return crossings.record(step, **{f"mode{i}": float(strengths[i])
                                         for i in range(len(SINGULAR_VALUES))})

    steps = run.scaled(ci=6000, paper=60_000)
    train.fit(loss, torch.optim.SGD(net.parameters(), lr=0.02), steps=steps, observe=observe)
    first, last = crossings.step("mode0"), crossings.step(f"mode{len(SINGULAR_VALUES) - 1}")
    run.require(math.isfinite(last), f"not every mode was learnt within {steps} steps")
    run.require(first > 0, "the largest mode was learnt at init (nothing to time)")
    return last / first


@claim(
    id="incremental/saddle-to-saddle",
    statement="From small initialisation, gradient descent on a deep linear network learns the "
              "target's singular modes one at a time in order of size, the mode of singular "
              "value s after a time of order 1 / s; from a lazy (large, orthogonal) "
              "initialisation all modes are learnt together.",
    source=paper("saxe2014exact", "exact solutions for whitened input (two-layer linear "
                                  "net: mode i learnt at t ~ (1 / s_i) log(s_i / a_0)); "
                                  "saddle to saddle: Jacot et al. 2021 (arXiv:2106.15933)"),
    metric="learning time of the mode of singular value 0.5 over that of the mode of 4 (theory "
           "about 7-8 at init std 1e-4)",
    holds_if=(">", 3),
    control=control("lazy init (W1 = 2 Q, Q orthogonal; W2 = 0)", init="lazy", init_std=2.0),
    seeds=per_scale(ci=3, paper=10),
)
def modes_learnt_in_order(run, init="gaussian", init_std=1e-4):
    return mode_learning_times(run, init, init_std)
