"""Loss curvature against the noise of a stochastic training algorithm, on flat parameter vectors.

A network's parameters are handled as one flat vector theta, so the exact Hessian of a small
network's loss and the covariance of its gradient noise are plain (P, P) matrices.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad, hessian, vmap

from harness.seeding import random_orthogonal

FlatLoss = Callable[..., torch.Tensor]


def flat_loss(model: nn.Module, loss_of_output: Callable[[torch.Tensor], torch.Tensor],
              inputs: torch.Tensor) -> tuple[torch.Tensor, FlatLoss]:
    """(theta, loss) with theta the model's parameters as one vector and `loss(theta, *args)`
    the loss of `model(inputs, *args)` at parameters theta (the model itself is not changed)."""
    named = {name: p.detach() for name, p in model.named_parameters()}
    shapes = {name: p.shape for name, p in named.items()}
    theta = torch.cat([p.reshape(-1) for p in named.values()])

    def unflatten(vector: torch.Tensor) -> dict[str, torch.Tensor]:
        pieces = torch.split(vector, [math.prod(s) for s in shapes.values()])
        return {name: piece.reshape(shapes[name]) for name, piece in zip(shapes, pieces,
                                                                         strict=True)}

    def loss(vector: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
        return loss_of_output(functional_call(model, unflatten(vector), (inputs, *args)))

    return theta, loss


def exact_hessian(loss: FlatLoss, theta: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
    """The (P, P) Hessian of loss(theta, *args), by forward-over-reverse differentiation."""
    return hessian(lambda vector: loss(vector, *args))(theta)


def gradient_noise_covariance(loss: FlatLoss, theta: torch.Tensor,
                              noise: torch.Tensor) -> torch.Tensor:
    """Covariance over samples of the gradient of loss(theta, noise[i]): the (P, P) covariance of
    the noise a stochastic algorithm (dropout masks, minibatches) adds to the gradient."""
    gradients = vmap(lambda sample: grad(loss)(theta, sample))(noise)
    return torch.cov(gradients.T)


def frobenius_alignment(a: torch.Tensor, b: torch.Tensor) -> float:
    """<A, B>_F / (||A||_F ||B||_F): 1 for proportional matrices, ~0 for unrelated ones."""
    return float((a * b).sum() / (a.norm() * b.norm()))


def with_random_eigenvectors(covariance: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Q diag(lambda) Q^T: the same spectrum as `covariance` on a Haar-random eigenbasis Q."""
    eigenvalues = torch.linalg.eigvalsh(covariance)
    q = random_orthogonal(len(covariance), generator, covariance.dtype, covariance.device)
    return q @ torch.diag(eigenvalues) @ q.T


def trajectory_pca(points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Variances (descending) and directions (columns) of the principal components of a
    trajectory of parameter vectors, shape (T, P) (Feng & Tu 2021)."""
    centred = points - points.mean(dim=0)
    _, singular, vh = torch.linalg.svd(centred, full_matrices=False)
    return singular**2 / (len(points) - 1), vh.T


def flatness_along(loss: Callable[[torch.Tensor], torch.Tensor], centre: torch.Tensor,
                   direction: torch.Tensor, factor: float = math.e, bisections: int = 40,
                   largest: float = 1e3) -> float:
    """F: the width of the interval around `centre` along the unit `direction` on which the loss
    stays below `factor` times its value at the centre (Feng & Tu 2021, Fig. 2)."""
    level = factor * float(loss(centre))
    sides = []
    for sign in (1.0, -1.0):
        inside, outside = 0.0, 1e-3
        while float(loss(centre + sign * outside * direction)) < level and outside < largest:
            inside, outside = outside, 2 * outside
        for _ in range(bisections):
            middle = (inside + outside) / 2
            if float(loss(centre + sign * middle * direction)) < level:
                inside = middle
            else:
                outside = middle
        sides.append(inside)
    return sum(sides)
