"""Dropout's noise structure: its gradient noise is shaped like the loss Hessian, which is how
dropout is argued to find flat minima (Zhang, Li, Luo, Xu 2023). The arXiv v1 abstract states both
the inverse variance-flatness and the Hessian-variance relation; the ICLR 2024 camera-ready
abstract keeps only the Hessian-variance relation."""

import math

import numpy as np
import torch
from scipy.stats import spearmanr

from harness import claim, control, measures, models, paper, per_scale, tasks, train

KEEP, LR, WIDTH = 0.8, 0.05, 50
TOP_DIRECTIONS = 20


def dropout_noise_geometry(run) -> dict:
    """Zhang et al. 2023's small-network setting, shrunk: a tanh 1-50-1 network (float64) on
    40 points of sin x + 0.5 sin 2x, full-batch GD (lr 0.05) with dropout (keep 0.8) on the hidden
    layer. At the end of training: the exact Hessian H of the loss without dropout, and the
    covariance Sigma of the gradient over dropout masks."""
    x = tasks.periodic_grid(40, dtype=torch.float64)
    y = tasks.sum_of_sines(x, [1, 2], [1.0, 0.5])
    x, y = run.to_device(x, y)
    net = run.role("dropout-two-layer", in_dim=1, width=WIDTH, activation="tanh",
                   a_std=WIDTH**-0.5, dtype=torch.float64)
    shape = (len(x), WIDTH)

    def masks(*leading: int) -> torch.Tensor:
        drawn = models.dropout_masks((*leading, *shape), KEEP, run.generator, torch.float64)
        return run.to_device(drawn)[0]

    def half_mse(output: torch.Tensor) -> torch.Tensor:
        return 0.5 * (output - y).pow(2).mean()

    def dropout_loss() -> torch.Tensor:
        return half_mse(net(x, masks()))

    train.fit(dropout_loss, torch.optim.SGD(net.parameters(), lr=LR),
              steps=run.scaled(ci=1_000, paper=20_000))
    theta, loss = measures.flat_loss(net, half_mse, x)
    hessian = measures.exact_hessian(loss, theta)
    covariance = measures.gradient_noise_covariance(loss, theta,
                                                    masks(run.scaled(ci=1_000, paper=5_000)))

    return {"hessian": hessian, "covariance": covariance}


@claim(
    id="dropout/hessian-variance",
    statement="The covariance of dropout's gradient noise aligns with the Hessian of the loss "
              "(the Hessian-variance relation): alpha(H, Sigma) = <H, Sigma>_F / "
              "(||H||_F ||Sigma||_F) is large.",
    source=paper("zhang2023dropout", "abstract (arXiv v1 and the ICLR 2024 camera-ready): the "
                                     "Hessian-variance relation throughout dropout training; "
                                     "the 1-D two-layer setting is this suite's miniature"),
    metric="Frobenius cosine alpha(H, Sigma) between the exact Hessian and the dropout-gradient "
           "covariance (1,000 masks) after dropout training",
    holds_if=(">", 0.5),
    control=control("the same covariance spectrum on Haar-random eigenvectors",
                    eigenvectors="random"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="dropout/noise-geometry",
)
def hessian_aligns_with_dropout_noise(run, eigenvectors="dropout"):
    result = run.shared(dropout_noise_geometry)
    covariance = result["covariance"]
    if eigenvectors == "random":
        covariance = measures.with_random_eigenvectors(covariance, run.generator)
    run.trace_array("exact Hessian H", result["hessian"])
    run.trace_array("gradient-noise covariance Sigma", covariance)
    return measures.frobenius_alignment(result["hessian"], covariance)


DIGITS_LR = 0.5  # full-batch GD step on the digits network (stable in pilots; 1.0 is not)


def digits_window_geometry(run) -> dict[str, float]:
    """The inverse variance-flatness protocol (Feng & Tu 2021) in the FNN setting of Zhang et al.
    2023 (784-50-50-10 on the first 10,000 MNIST images), shrunk to scikit-learn's digits: a
    tanh 64-50-50-10 network with dropout (keep 0.8) on both hidden layers, full-batch GD on the
    cross-entropy of `n` digits until the loss plateaus (the seed is invalid unless the mean
    dropout loss of the warm-up's last tenth is within 20% of the tenth before it); then, from
    that point, a window of dropout training and, for the control, a window of GD plus isotropic
    noise of the same total variance (lr^2 times the trace of the dropout-gradient covariance,
    estimated from 64 masks). Each window's trajectory (every 5 steps) is detrended (its
    least-squares line in time removed per coordinate) before PCA; F_i is the width along the
    i-th direction where the loss without dropout stays below e times its value at the window's
    mean. Returns per window the Spearman correlation of sigma_i^2 and F_i over the top 20."""
    n = run.scaled(ci=150, paper=1797)
    x, onehot = tasks.digits_one_hot()
    chosen = torch.randperm(len(x), generator=run.generator)[:n]
    x, labels = run.to_device(x[chosen], onehot[chosen].argmax(1))
    net = run.role("dropout-mlp", in_dim=64, out_dim=10, width=WIDTH, depth=2, activation="tanh",
                   gain=1.0)

    def masks(*leading: int) -> torch.Tensor:
        return run.to_device(models.dropout_masks((*leading, 2, n, WIDTH), KEEP, run.generator))[0]

    def dropout_loss() -> torch.Tensor:
        return torch.nn.functional.cross_entropy(net(x, masks()), labels)

    warm_up = run.scaled(ci=600, paper=20_000)
    seen: list[float] = []
    optimizer = torch.optim.SGD(net.parameters(), lr=DIGITS_LR)
    for _ in range(warm_up):
        optimizer.zero_grad()
        loss = dropout_loss()
        loss.backward()
        optimizer.step()
        seen.append(float(loss.detach()))
    tenth = max(1, warm_up // 10)
    last, before = np.mean(seen[-tenth:]), np.mean(seen[-2 * tenth:-tenth])
    unmeasured = {"dropout": math.nan, "isotropic": math.nan}
    if not run.require(bool(np.isfinite(last)), f"the dropout loss ended at {last} (training "
                                                f"diverged)"):
        return unmeasured
    if not run.require(abs(last - before) <= 0.2 * before,
                       f"the loss had not plateaued: mean {last:.3g} over the warm-up's last "
                       f"tenth against {before:.3g} the tenth before"):
        return unmeasured
    start = [p.detach().clone() for p in net.parameters()]
    theta, loss = measures.flat_loss(
        net, lambda out: torch.nn.functional.cross_entropy(out, labels), x)
    grads = torch.stack([torch.func.grad(loss)(theta, m) for m in masks(64)])
    total_variance = float(grads.var(0, unbiased=True).sum())
    results = {}
    for window in ("dropout", "isotropic"):
        with torch.no_grad():
            for p, p0 in zip(net.parameters(), start, strict=True):
                p.copy_(p0)
        if window == "dropout":
            window_loss, optimizer = dropout_loss, torch.optim.SGD(net.parameters(), lr=DIGITS_LR)
        else:
            std = DIGITS_LR * math.sqrt(total_variance / len(theta))
            window_loss = train.cross_entropy(net, x, labels)
            optimizer = train.NoisyGD(net.parameters(), lr=DIGITS_LR, std=std,
                                      generator=run.generator)
        trajectory = []

        def record(step: int, trajectory: list = trajectory) -> bool:
            trajectory.append(torch.nn.utils.parameters_to_vector(net.parameters()).detach().cpu())
            return False

        train.fit(window_loss, optimizer, steps=run.scaled(ci=300, paper=5_000), observe=record,
                  every=5)
        points = torch.stack(trajectory).double()
        if not run.require(bool(torch.isfinite(points).all()), f"the weights left the finite "
                                                               f"range in the {window} window"):
            return unmeasured
        steps = torch.arange(len(points), dtype=points.dtype)[:, None]
        design = torch.cat([torch.ones_like(steps), steps], dim=1)
        trend = design @ torch.linalg.lstsq(design, points).solution
        variances, directions = measures.trajectory_pca(points - trend)
        centre = points.mean(dim=0).to(theta)
        moved = float(variances.sum()) > 1e-12 * float(centre.double().pow(2).sum())
        if not run.require(moved, f"the weights did not move in the {window} window"):
            return unmeasured
        with torch.no_grad():
            flatness = [measures.flatness_along(loss, centre, direction.to(theta), bisections=20)
                        for direction in directions.T[:TOP_DIRECTIONS]]
        for variance, width in zip(variances[:TOP_DIRECTIONS], flatness, strict=True):
            run.trace(f"log10 F_i ({window} window)", np.log10(float(variance)), np.log10(width),
                      x_label="log10 sigma_i^2")
        results[window] = float(spearmanr(variances[:TOP_DIRECTIONS].numpy(),
                                          flatness).statistic)
    return results


@claim(
    id="dropout/variance-flatness",
    statement="Along the principal directions of the weights' fluctuation under dropout, the "
              "variance is inversely related to the flatness of the loss (the inverse "
              "variance-flatness relation of Feng & Tu 2021, found for dropout).",
    source=paper("zhang2023dropout", "arXiv v1 abstract and its FNN setting (784-50-50-10 on the "
                                     "first 10,000 MNIST images), with Feng & Tu's protocol; the "
                                     "ICLR 2024 camera-ready abstract keeps only the "
                                     "Hessian-variance relation, arXiv v1 states both",
                 paper("feng2021inverse", "the inverse variance-flatness relation for SGD: PCA "
                                          "of a window of the weights, F_i at e times the loss")),
    metric=f"Spearman correlation of the variance sigma_i^2 and the flatness F_i over the top "
           f"{TOP_DIRECTIONS} PCA directions of a detrended window after the loss plateaus "
           f"(64-50-50-10 tanh net with dropout on digits)",
    holds_if=("<", -0.5),
    control=control("GD plus isotropic noise of the same total variance in the window",
                    window="isotropic"),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured Spearman -0.11 +0.02 +0.08 / +0.14 -0.06 +0.15 / +0.16 +0.13 -0.12 (base "
          "seeds 0/1/2; CI: 150 digits, 600 warm-up steps, 300-step windows), not inverse; the "
          "isotropic-noise control gives -0.69 -0.91 -0.93 / -0.94 -0.69 -0.88 / -0.53 -0.77 "
          "-0.78, i.e. in this miniature the inverse relation comes with isotropic noise and "
          "not with dropout, so the setting does not isolate dropout's noise structure. Pilots "
          "gave +0.97 (all 1,797 digits, 5,000 steps, cross-entropy), +0.75 (400 digits, "
          "20,000 steps, detrended) and +0.97 (400 digits, MSE, 6,000 steps); the paper's "
          "MNIST/CIFAR networks and windows are beyond this budget",
)
def dropout_variance_inverse_to_flatness(run, window="dropout"):
    return run.shared(digits_window_geometry)[window]
