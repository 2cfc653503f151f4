"""Dropout's noise structure: its gradient noise is shaped like the loss Hessian, which is how
dropout is argued to find flat minima (Zhang, Li, Luo, Xu 2023)."""

import math

import numpy as np
import torch
from scipy.stats import spearmanr

from harness import claim, control, measures, models, paper, per_scale, tasks, train

KEEP, LR, WIDTH = 0.8, 0.05, 50
TOP_DIRECTIONS = 20


def dropout_noise_geometry(run, window_noise: str) -> dict:
    """Zhang et al. 2023's small-network setting, shrunk: a tanh 1-50-1 network (float64) on
    40 points of sin x + 0.5 sin 2x, full-batch GD (lr 0.05) with dropout (keep 0.8) on the hidden
    layer. At the end of training: the exact Hessian H of the loss without dropout, and the
    covariance Sigma of the gradient over dropout masks. Then a window of training whose noise is
    dropout or, for `window_noise="isotropic"`, GD plus isotropic Gaussian noise of the same total
    variance lr^2 Tr(Sigma) per step: the variances of the weights along the window's top principal
    directions, and the loss's flatness along each (Feng & Tu 2021's protocol)."""
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

    if window_noise == "dropout":
        window_loss, optimizer = dropout_loss, torch.optim.SGD(net.parameters(), lr=LR)
    else:
        std = LR * math.sqrt(float(covariance.trace()) / len(theta))
        window_loss = train.mse(net, x, y)
        optimizer = train.NoisyGD(net.parameters(), lr=LR, std=std, generator=run.generator)
    trajectory = []

    def record(step: int) -> bool:
        trajectory.append(torch.nn.utils.parameters_to_vector(net.parameters()).detach().cpu())
        return False

    train.fit(window_loss, optimizer, steps=run.scaled(ci=1_500, paper=10_000), observe=record,
              every=10)
    points = torch.stack(trajectory)
    variances, directions = measures.trajectory_pca(points)
    centre = points.mean(dim=0).to(theta)
    flatness = [measures.flatness_along(loss, centre, direction.to(theta))
                for direction in directions.T[:TOP_DIRECTIONS]]
    return {"hessian": hessian, "covariance": covariance,
            "variances": variances[:TOP_DIRECTIONS].numpy(), "flatness": np.array(flatness)}


@claim(
    id="dropout/hessian-variance",
    statement="The covariance of dropout's gradient noise aligns with the Hessian of the loss "
              "(the Hessian-variance relation): alpha(H, Sigma) = <H, Sigma>_F / "
              "(||H||_F ||Sigma||_F) is large.",
    source=paper("zhang2023dropout", "Sec. 5, Hessian-variance relation (alpha through training)"),
    metric="Frobenius cosine alpha(H, Sigma) between the exact Hessian and the dropout-gradient "
           "covariance (1,000 masks) after dropout training",
    holds_if=(">", 0.5),
    control=control("the same covariance spectrum on Haar-random eigenvectors",
                    eigenvectors="random"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="dropout/noise-geometry",
)
def hessian_aligns_with_dropout_noise(run, eigenvectors="dropout"):
    result = run.shared(dropout_noise_geometry, window_noise="dropout")
    covariance = result["covariance"]
    if eigenvectors == "random":
        covariance = measures.with_random_eigenvectors(covariance, run.generator)
    return measures.frobenius_alignment(result["hessian"], covariance)


@claim(
    id="dropout/variance-flatness",
    statement="Along the principal directions of the weights' fluctuation under dropout, the "
              "variance is inversely related to the flatness of the loss (the inverse "
              "variance-flatness relation of Feng & Tu 2021, found for dropout).",
    source=paper("zhang2023dropout", "Sec. 5, inverse variance-flatness relation"),
    metric=f"Spearman correlation of the variance sigma_i^2 and the flatness F_i (width where "
           f"the loss stays below e L(mean)) over the top {TOP_DIRECTIONS} PCA directions of a "
           f"1,500-step window (CI scale)",
    holds_if=("<", -0.5),
    control=control("GD plus isotropic noise of the same total variance in the window",
                    window_noise="isotropic"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="dropout/noise-geometry",
    xfail="measured Spearman +0.30 +0.30 +0.42 / +0.36 +0.31 +0.48 / +0.24 +0.17 +0.21 (base "
          "seeds 0/1/2), isotropic control -0.20..+0.19 (one seed -0.51): not inverse. The top "
          "1-4 directions carry a slow drift along flat valleys (variance 100-500x the rest, "
          "F of several units); below them F does rise as the variance falls, so the relation "
          "may need a converged, drift-free window of a larger network (the paper's MNIST/CIFAR "
          "settings) than fits this budget; also not reproduced with 20,000 warm-up steps, "
          "keep 0.5, or excluding the top 3 directions",
)
def dropout_variance_inverse_to_flatness(run, window_noise="dropout"):
    result = run.shared(dropout_noise_geometry, window_noise=window_noise)
    return float(spearmanr(result["variances"], result["flatness"]).statistic)
