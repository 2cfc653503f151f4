"""Stability of gradient descent: the curvature of the loss adapts to the learning rate. Full-batch
GD drives the sharpness up to 2 / lr and holds it there (the edge of stability); a learning rate
above 2 / lambda_0 makes the loss blow up first and settles in a flatter region (the catapult)."""

import math

import numpy as np
import torch

from harness import claim, control, measures, paper, per_scale, tasks, train

CATAPULT_SEED = "stability/catapult"


def sharpness_trace(run, lr: float) -> float:
    """Cohen et al. 2021's setting in small: full-batch GD at `lr` on half MSE, a two-layer tanh
    net of width 50 (LeCun-style init: input weights ~ N(0, 1/d), output weights ~ N(0, 1/50)),
    n = 1000 inputs x ~ N(0, I_20), targets of a random saturating tanh teacher (width 50,
    weights ~ N(0, 4)) standardised to std 2. The sharpness (top Hessian eigenvalue, power
    iteration on Hessian-vector products, warm-started from the last estimate) is read at init
    and every 50 steps over the last third of the run. Returns max |sharpness / (2 / lr) - 1|
    over the last third."""
    n, dim, width = 1000, 20, 50
    x = torch.randn(n, dim, generator=run.generator)
    y = 2 * tasks.tanh_teacher(x, width=50, w_std=2.0, generator=run.generator)
    x, y = run.to_device(x, y)
    net = run.role("two-layer", in_dim=dim, width=width, activation="tanh", w_std=dim ** -0.5,
                   a_std=width ** -0.5)
    loss = train.mse(net, x, y)
    params = list(net.parameters())
    steps = run.scaled(ci=1500, paper=6000)
    window = steps - steps // 3
    state = {"v": None, "ratios": []}

    def observe(step: int) -> bool:
        if step == 0 or step >= window:
            cold = state["v"] is None or step == window
            value, state["v"] = measures.hessian_top_eigenvalue(
                loss, params, iterations=20 if cold else 5, start=state["v"],
                generator=run.generator)
            state["ratios"].append(value * lr / 2)
            run.trace("sharpness / (2 / lr)", step, value * lr / 2, level=1.0)
        if run.tracing:
            run.trace("training loss", step, train.closure_value(loss))
        return False

    start = float(train.closure_value(loss))
    train.fit(loss, torch.optim.SGD(params, lr=lr), steps=steps, observe=observe, every=50)
    final = float(train.closure_value(loss))
    initial_ratio, ratios = state["ratios"][0], np.array(state["ratios"][1:])
    run.require(initial_ratio < 1, f"sharpness at init is {initial_ratio:.3g} x 2/lr: GD starts "
                                   "beyond the edge (a catapult, not progressive sharpening)")
    run.require(math.isfinite(final) and final < 0.1 * start,
                f"training loss {final:.3g} did not fall below a tenth of its start {start:.3g} "
                "(a network that fits nothing stays near the targets' variance)")
    return float(np.abs(ratios - 1).max())


@claim(
    id="stability/edge",
    statement="Under full-batch gradient descent the sharpness rises (progressive sharpening) "
              "until it reaches 2 / lr and then hovers at that value while the loss keeps "
              "falling, non-monotonically: training runs at the edge of stability.",
    source=paper("cohen2021edge", "Fig. 1 (full-batch GD)",
                 reported="sharpness rises to 2 / eta and hovers there"),
    metric="max over the last third of the run (every 50 steps) of |sharpness / (2 / lr) - 1|; "
           "lr 0.4 (2 / lr = 5)",
    holds_if=("<", 0.15),
    control=control("small learning rate 0.1 (2 / lr = 20, not reached)", lr=0.1),
    seeds=per_scale(ci=3, paper=10),
)
def sharpness_at_edge(run, lr=0.4):
    return sharpness_trace(run, lr)


def catapult_run(run, lr_times_lambda: float) -> dict[str, float]:
    """Lewkowycz et al. 2020's setting: a two-layer ReLU net in NTK scaling, f = m^-1/2 sum_k a_k
    relu(<w_k, x> + b_k), all parameters ~ N(0, 1), width 2048 (paper: 8192), n = 128 inputs x ~
    N(0, I_10 / 10) with standardised targets of a random tanh teacher, half MSE, 300 GD steps at
    lr = lr_times_lambda / lambda_0, lambda_0 the top eigenvalue of the NTK Gram J J^T / n at
    init. Returns the largest loss over its initial value and the final NTK top eigenvalue over
    lambda_0."""
    n, dim = 128, 10
    width = run.scaled(ci=2048, paper=8192)
    x = torch.randn(n, dim, generator=run.generator) / math.sqrt(dim)
    x, y = run.to_device(x, tasks.tanh_teacher(x, width=50, w_std=2.0, generator=run.generator))
    net = run.role("two-layer", in_dim=dim, width=width, activation="relu", w_std=1.0, a_std=1.0,
                   alpha=math.sqrt(width))
    lambda_0 = measures.ntk_top_eigenvalue(net, x)
    loss = train.mse(net, x, y)
    losses = []

    def record(step: int) -> bool:
        losses.append(float(train.closure_value(loss)))
        run.trace("training loss / initial loss", step, losses[-1] / losses[0])
        return not math.isfinite(losses[-1])

    train.fit(loss, torch.optim.SGD(net.parameters(), lr=lr_times_lambda / lambda_0),
              steps=run.scaled(ci=300, paper=1000), observe=record)
    finite = all(math.isfinite(v) for v in losses)
    run.require(finite, "the loss diverged (beyond the catapult phase, lr > ~ 4-12 / lambda_0)")
    run.require(finite and losses[-1] < 0.1 * losses[0],
                f"training loss {losses[-1]:.3g} did not fall below a tenth of its start "
                f"{losses[0]:.3g}")
    if not finite:
        return {"spike": float("nan"), "curvature": float("nan")}
    return {"spike": max(losses) / losses[0],
            "curvature": measures.ntk_top_eigenvalue(net, x) / lambda_0}


@claim(
    id="stability/catapult-spike",
    statement="With a learning rate between 2 / lambda_0 and the divergence threshold, the loss "
              "of a wide network first grows many-fold (the catapult), then falls and training "
              "converges; below 2 / lambda_0 it falls from the start (lazy phase).",
    source=paper("lewkowycz2020catapult", "the catapult phase, 2 / lambda_0 < eta below "
                                          "divergence (wide nets, NTK parametrisation, MSE)"),
    metric="largest training loss over the initial loss, 300 GD steps at lr = 3 / lambda_0",
    holds_if=(">", 10),
    control=control("lr = 1 / lambda_0 (lazy phase)", lr_times_lambda=1.0),
    seeds=per_scale(ci=3, paper=10),
    seed_name=CATAPULT_SEED,
)
def catapult_spike(run, lr_times_lambda=3.0):
    return run.shared(catapult_run, lr_times_lambda=lr_times_lambda)["spike"]


@claim(
    id="stability/catapult-flattens",
    statement="In the catapult phase the run ends in a flatter region: the top NTK eigenvalue "
              "falls from lambda_0 to below 2 / lr, where GD is stable; in the lazy phase it "
              "stays at lambda_0.",
    source=paper("lewkowycz2020catapult", "the catapult phase",
                 reported="the curvature after the catapult ends below 2 / eta"),
    metric="final top NTK eigenvalue over lambda_0, 300 GD steps at lr = 3 / lambda_0 (2 / lr = "
           "0.67 lambda_0)",
    holds_if=("<", 0.5),
    control=control("lr = 1 / lambda_0 (lazy phase)", lr_times_lambda=1.0),
    seeds=per_scale(ci=3, paper=10),
    seed_name=CATAPULT_SEED,
)
def catapult_flattens(run, lr_times_lambda=3.0):
    return run.shared(catapult_run, lr_times_lambda=lr_times_lambda)["curvature"]
