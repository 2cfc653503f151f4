"""Implicit bias of the loss: on separable data, gradient descent on the logistic loss converges
in direction to the max-margin separator, though nothing in the loss asks for a margin."""

import math

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train


def angle_to_max_margin(run, loss_kind: str) -> float:
    """Soudry et al. 2018's setting: a bias-free linear model from w = 0 (float64: the logistic
    loss's gradients underflow in float32) trained by full-batch GD on n = 40 separable points in
    d = 5 whose hard-margin SVM direction is planted (2 pairs of support vectors, every other
    point at margin >= 2). lr = 1 / smoothness of the loss: 4 / lambda_max(X^T X / n) for the
    logistic loss, 1 / lambda_max for the squared loss. The paper's 1e5 steps at lr 1 / lambda_max
    take 25 s on one core; at CI scale the run is 2,500 steps at the larger logistic step (about
    1e4 steps at 1 / lambda_max). Returns the angle to the SVM direction at the end over the angle
    at a hundredth of the run: about log(t / 100) / log(t) if the angle falls like 1 / log t."""
    x, y, _ = tasks.planted_max_margin(40, 5, pairs=2, gap=1.0, generator=run.generator)
    direction = measures.hard_margin_direction(x, y)
    x, y = run.to_device(x, y)
    net = run.role("linear", dim=5, dtype=torch.float64)
    curvature = float(torch.linalg.eigvalsh(x.T @ x / len(x))[-1])
    logistic = loss_kind == "logistic"
    loss = train.logistic(net, x, y) if logistic else train.mse(net, x, y)
    steps = run.scaled(ci=2500, paper=100_000)
    angles = {}

    def observe(step: int) -> bool:
        if step in (steps // 100, steps):
            with torch.no_grad():
                angles[step] = measures.angle(net.weights().cpu().numpy(), direction)
        if run.tracing and step % 10 == 0:
            with torch.no_grad():
                run.trace("angle to the max-margin direction", step,
                          measures.angle(net.weights().cpu().numpy(), direction))
        return False

    start = float(train.closure_value(loss))
    train.fit(loss, torch.optim.SGD(net.parameters(), lr=(4 if logistic else 1) / curvature),
              steps=steps, observe=observe)
    final = float(train.closure_value(loss))
    run.require(math.isfinite(final) and final < 0.5 * start,
                f"training loss {final:.3g} did not fall below half its start {start:.3g}")
    return angles[steps] / angles[steps // 100]


@claim(
    id="implicit-bias/max-margin",
    statement="On linearly separable data, gradient descent on the logistic loss converges in "
              "direction to the L2 max-margin (hard-margin SVM) separator, slowly: the angle "
              "to it falls like 1 / log t; on the squared loss the direction freezes at the "
              "least-squares solution.",
    source=paper("soudry2018implicit", "main theorem and its synthetic-data figure (linear "
                                       "model, logistic loss)",
                 reported="angle to the max-margin direction falls as 1 / log t"),
    metric="angle to the SVM direction at the end of the run over the angle at 1% of it",
    holds_if=("<", 0.7),
    control=control("squared loss (no implicit max-margin bias)", loss_kind="squared"),
    seeds=per_scale(ci=3, paper=10),
)
def logistic_finds_max_margin(run, loss_kind="logistic"):
    return angle_to_max_margin(run, loss_kind)
