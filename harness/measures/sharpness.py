"""Curvature of the loss: the top Hessian eigenvalue (sharpness) by power iteration on
Hessian-vector products, and the top eigenvalue of the empirical neural tangent kernel."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def hessian_top_eigenvalue(loss: Callable[[], torch.Tensor], params: list[nn.Parameter],
                           iterations: int = 20, start: torch.Tensor | None = None,
                           generator: torch.Generator | None = None
                           ) -> tuple[float, torch.Tensor]:
    """(lambda, v): the Rayleigh quotient v^T H v of the loss's Hessian at the parameters after
    `iterations` power-iteration steps from `start` (warm start: pass the previous call's v) or
    from a Gaussian vector drawn from `generator`. Power iteration finds the eigenvalue of largest
    magnitude; for the losses here near a minimum that is the top (positive) one. Parameters
    the loss does not use count as flat directions."""
    grads = torch.autograd.grad(loss(), params, create_graph=True, materialize_grads=True)
    flat_grad = torch.cat([g.reshape(-1) for g in grads])
    if start is None:
        start = torch.randn(flat_grad.numel(), generator=generator,
                            dtype=flat_grad.dtype).to(flat_grad.device)
    v = start / start.norm()
    if not flat_grad.requires_grad:  # the gradient does not depend on the parameters: H = 0
        return 0.0, v
    value = 0.0
    for _ in range(iterations):
        hv = torch.cat([h.reshape(-1) for h in torch.autograd.grad(
            flat_grad @ v, params, retain_graph=True, materialize_grads=True)])
        value = float(v @ hv)
        v = hv / hv.norm()
    return value, v.detach()


def ntk_top_eigenvalue(model: nn.Module, x: torch.Tensor) -> float:
    """The top eigenvalue of the empirical NTK Gram matrix J J^T / n of a scalar-output model on
    the n inputs x (J the (n, parameters) Jacobian of the outputs): the curvature of the half-MSE
    loss's Gauss-Newton part, whose GD is stable for lr < 2 / lambda."""
    params = [p for p in model.parameters() if p.requires_grad]
    out = model(x).reshape(len(x))
    rows = []
    for i in range(len(x)):
        grads = torch.autograd.grad(out[i], params, retain_graph=True, materialize_grads=True)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    jacobian = torch.stack(rows)
    return float(torch.linalg.eigvalsh(jacobian @ jacobian.T / len(x))[-1])
