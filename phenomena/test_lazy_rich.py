"""Lazy versus rich training: the same network and data, two scalings of the output. Under the NTK
scaling the weights barely move, the less the wider the network (lazy: the network trains as
its linearisation); under the mean-field scaling they move by O(1) at every width (rich: features
are learnt)."""

import math

import numpy as np
import torch

from harness import claim, control, measures, paper, per_scale, tasks, train


def relative_movement(run, net, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> float:
    """RD = ||W(T) - W(0)|| / ||W(0)|| of the input weights and biases after `steps` full-batch GD
    steps on half MSE. The run must fit (loss below half its start) and still be training in
    its second half (a run that stalled measures the movement of its first steps only)."""
    with torch.no_grad():
        start = net.neuron_input_weights().cpu().numpy().copy()
    loss = train.mse(net, x, y)
    recorded = {}

    def observe(step: int) -> bool:
        recorded[step] = float(train.closure_value(loss))
        return False

    train.fit(loss, torch.optim.SGD(net.parameters(), lr=lr), steps=steps, observe=observe,
              every=steps // 2)
    initial, middle, final = recorded[0], recorded[steps // 2], recorded[steps]
    width = len(start)
    run.require(math.isfinite(final) and final < 0.5 * initial,
                f"width {width}: training loss {final:.3g} did not fall below half its start "
                f"{initial:.3g}")
    run.require(final < 0.99 * middle,
                f"width {width}: training stalled in the second half (loss {middle:.3g} -> "
                f"{final:.3g})")
    with torch.no_grad():
        return measures.relative_distance(net.neuron_input_weights().cpu().numpy(), start)


def movement_width_exponent(run, scaling: str) -> float:
    """Two-layer ReLU nets f(x) = (1 / alpha) sum_k a_k relu(<w_k, x> + b_k), every parameter ~
    N(0, 1), on n = 64 inputs x ~ N(0, I_5 / 5) with standardised targets of a random tanh
    teacher; 400 full-batch GD steps on half MSE. "ntk": alpha = sqrt(m), lr 0.5; "mean-field":
    alpha = m, lr 0.5 m (the time scale on which mean-field dynamics move O(1)). Returns the slope
    of log RD(w) against log m over widths 64..4096 (paper: 64..16384); every width draws from
    the seed's generator."""
    n, dim = 64, 5
    x = torch.randn(n, dim, generator=run.generator) / math.sqrt(dim)
    x, y = run.to_device(x, tasks.tanh_teacher(x, width=20, w_std=2.0, generator=run.generator))
    widths = run.scaled(ci=[64, 256, 1024, 4096], paper=[64, 256, 1024, 4096, 16384])
    mean_field = scaling == "mean-field"
    distances = []
    for width in widths:
        net = run.role("two-layer", in_dim=dim, width=width, activation="relu", w_std=1.0,
                       a_std=1.0, alpha=width if mean_field else math.sqrt(width))
        distances.append(relative_movement(run, net, x, y, lr=0.5 * (width if mean_field else 1),
                                           steps=run.scaled(ci=400, paper=4000)))
        run.trace("RD(w) against the width", width, distances[-1], x_label="width m")
    return measures.log_log_slope(np.array(widths), np.array(distances))


@claim(
    id="lazy-rich/ntk-lazy",
    statement="Under the NTK scaling (output 1 / sqrt(m)) the relative change of the hidden "
              "weights during training vanishes like m^-1/2 as the width m grows (lazy "
              "training), while under the mean-field scaling (output 1 / m, learning rate m) "
              "it stays of order one at every width. On Luo et al. 2021's phase diagram "
              "(condensation/phase-*) the NTK scaling is gamma = 1/2, inside the linear regime "
              "whose RD slope condensation/phase-linear measures with the scale put in the "
              "init; mean-field is gamma = 1, the critical line between it and the condensed "
              "regime, where RD grows with m (condensation/phase-condensed).",
    source=paper("chizat2019lazy", "lazy training under the output scaling 1 / alpha(m), "
                                   "alpha -> infinity; with Lee et al. 2019 (arXiv:"
                                   "1902.06720: relative weight change ~ m^-1/2 in NTK "
                                   "parametrisation)"),
    metric="slope of log RD(w) against log m over widths 64..4096, 400 GD steps",
    holds_if=("<", -0.25),
    control=control("mean-field scaling (1 / m output, lr x m)", scaling="mean-field"),
    seeds=per_scale(ci=3, paper=10),
)
def ntk_weights_freeze(run, scaling="ntk"):
    return movement_width_exponent(run, scaling)
