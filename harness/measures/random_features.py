"""Random-features regression: the readout of a network whose hidden layer is frozen at its
random init, solved in closed form (minimum-norm least squares, or ridge), and its test error."""

from __future__ import annotations

import torch
from torch import nn


def readout_features(model: nn.Module, x: torch.Tensor, chunk: int = 250) -> torch.Tensor:
    """(n, N) features of a two-layer model's readout: the derivative of its (first) output on
    each input with respect to its N output weights (neuron_output_weights()), sigma(<w_k, x> +
    b_k) / alpha for the role's f = (1 / alpha) sum_k a_k sigma(<w_k, x> + b_k), which is linear
    in a. Read through the model's forward, so a model that ignores its input has constant
    features. Raises ValueError if the output does not depend on the output weights."""
    a = model.neuron_output_weights()
    rows = []
    for part in torch.split(x, chunk):
        out = model(part).reshape(len(part), -1)[:, 0]
        eye = torch.eye(len(part), dtype=out.dtype, device=out.device)
        (jacobian,) = torch.autograd.grad(out, a, grad_outputs=eye, is_grads_batched=True,
                                          allow_unused=True)
        if jacobian is None:
            raise ValueError("readout_features: the output does not depend on "
                             "neuron_output_weights()")
        rows.append(jacobian.reshape(len(part), -1).detach())
    return torch.cat(rows)


def readout_map(features: torch.Tensor, ridge: float = 0.0, rcond: float = 1e-12) -> torch.Tensor:
    """The (N, n) linear map M from training labels y to the readout a = M y. ridge = 0: the
    minimum-norm least-squares solution, the pseudo-inverse with singular values below rcond times
    the largest cut (use float64: float32 or a loose rcond clips the interpolation spike). ridge
    > 0: argmin ||F a - y||^2 + ridge * n ||a||^2, a = F^T (F F^T + ridge n I)^-1 y."""
    if ridge == 0:
        return torch.linalg.pinv(features, rtol=rcond)
    n = len(features)
    gram = features @ features.T + ridge * n * torch.eye(n, dtype=features.dtype,
                                                          device=features.device)
    return features.T @ torch.linalg.inv(gram)


def readout_test_error(train_features: torch.Tensor, y: torch.Tensor, test_features: torch.Tensor,
                       test_target: torch.Tensor, ridge: float = 0.0) -> float:
    """Test MSE of the closed-form readout fitted to (train_features, y)."""
    a = readout_map(train_features, ridge) @ y
    return float((test_features @ a - test_target).pow(2).mean())


def label_noise_amplification(train_features: torch.Tensor, f: torch.Tensor,
                              test_features: torch.Tensor, test_target: torch.Tensor,
                              noise: float, ridge: float = 0.0) -> float:
    """The expected test MSE with Gaussian label noise of std `noise` over the test MSE without
    it, the expectation over the noise in closed form: E||T M (f + s e) - g||^2 / m = ||T M f -
    g||^2 / m + s^2 ||T M||_F^2 / m (T the test features, M the readout map, m test points)."""
    m = test_features @ readout_map(train_features, ridge)
    bias = (m @ f - test_target).pow(2).mean()
    variance = noise ** 2 * m.pow(2).sum() / len(test_features)
    return float((bias + variance) / bias)
