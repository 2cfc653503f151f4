"""Training loops. Claims say what to fit and when to stop; the loop is written once, here."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch
from torch import nn

Loss = Callable[[], torch.Tensor]
Observer = Callable[[int], bool]


class BacktrackingGD(torch.optim.Optimizer):
    """Full-batch gradient descent whose step grows by `grow` after a step that lowered `loss`
    and is undone and halved after one that raised it (the phase-diagram papers' schedule).

    A ReLU network's loss has kinks where the gradient's direction does not lower the loss at
    any step size; a step is therefore kept, whatever the loss does, once it is `min_lr` small,
    which carries the run over the kink instead of shrinking the step to zero.
    """

    needs_closure = True  # step(closure) evaluates the loss itself

    def __init__(self, params: Iterable[nn.Parameter], loss: Loss, lr: float,
                 grow: float = 1.05, shrink: float = 0.5, min_lr: float = 1e-6):
        super().__init__(params, {"lr": lr, "grow": grow, "shrink": shrink, "min_lr": min_lr})
        self.loss = loss

    @torch.no_grad()
    def step(self, closure: Loss) -> torch.Tensor:
        with torch.enable_grad():
            loss = closure()
        moved = [(group, p, p.detach().clone()) for group in self.param_groups
                 for p in group["params"] if p.grad is not None]
        for group, p, _ in moved:
            p.add_(p.grad, alpha=-group["lr"])
        accepted = bool(self.loss() < loss)
        forced = not accepted and all(g["lr"] <= g["min_lr"] for g in self.param_groups)
        for group in self.param_groups:
            group["lr"] *= group["grow"] if accepted or forced else group["shrink"]
        if not (accepted or forced):
            for _, p, old in moved:
                p.copy_(old)
        return loss


def closure_value(loss: Loss) -> torch.Tensor:
    """The loss without building a graph."""
    with torch.no_grad():
        return loss()


def mse(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> Loss:
    """Half mean squared error of `model` on (x, y), as a closure."""
    return lambda: 0.5 * (model(x) - y).pow(2).mean()


def fit(loss: Loss, optimizer: torch.optim.Optimizer, steps: int,
        observe: Observer | None = None, every: int = 1,
        schedule: torch.optim.lr_scheduler.LRScheduler | None = None) -> int:
    """Minimise `loss` for at most `steps` steps; returns the steps taken.

    `observe(step)` is called before the first step and every `every` steps after; when it returns
    True the run stops there (the verdict is decided, or the target loss is reached).
    `schedule`, if given, is stepped after every optimiser step. Optimisers that evaluate the loss
    themselves (line searches, LBFGS: `needs_closure`) get the closure; the others are stepped
    as in a bare torch loop, which keeps the harness's overhead near zero.
    """
    def closure() -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        value = loss()
        value.backward()
        return value

    needs_closure = getattr(optimizer, "needs_closure", isinstance(optimizer, torch.optim.LBFGS))
    for step in range(steps):
        if observe is not None and step % every == 0 and observe(step):
            return step
        if needs_closure:
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
        if schedule is not None:
            schedule.step()
    if observe is not None:
        observe(steps)
    return steps


def loss_below(loss: Loss, level: float) -> Observer:
    """An observer that stops once the loss is below `level`, or is no longer finite (a
    diverged run goes no further)."""
    def reached(step: int) -> bool:
        value = float(closure_value(loss))
        return value < level or not math.isfinite(value)

    return reached


def trace_accuracy(run, name: str, logits: Callable[[], torch.Tensor],
                   targets: torch.Tensor, level: float | None = None) -> Observer:
    """An observer that records, as the curve `name` of `run`, the accuracy of `logits()`
    against `targets` at each step it is called (nothing when the session keeps no traces: the
    logits are then not computed); it never stops the run."""
    def record(step: int) -> bool:
        if run.tracing:
            with torch.no_grad():
                right = logits().argmax(dim=-1).cpu() == targets.cpu()
            run.trace(name, step, float(right.double().mean()), level=level)
        return False

    return record


def require_fit(run, loss: Loss, level: float = math.inf) -> bool:
    """Whether the loss ended finite and below `level` (the fit the setting is measured on;
    by default only finite: training did not diverge or die); if not, `run` (the seed's Run)
    marks its measurement invalid with the loss reached."""
    value = float(closure_value(loss))
    if not math.isfinite(value):
        return run.require(False, f"the training loss ended at {value} (training diverged)")
    return run.require(value < level, f"the training loss ended at {value:.3g}, not below "
                                      f"{level:g} (the fit the setting needs)")


class NoisyGD(torch.optim.Optimizer):
    """Full-batch gradient descent plus isotropic Gaussian noise: theta <- theta - lr grad + std z,
    z ~ N(0, I) drawn from `generator` (the unstructured-noise baseline of the SGD/dropout noise
    papers)."""

    needs_closure = True  # step(closure) evaluates the loss itself

    def __init__(self, params: Iterable[nn.Parameter], lr: float, std: float,
                 generator: torch.Generator):
        super().__init__(params, {"lr": lr, "std": std})
        self.generator = generator

    @torch.no_grad()
    def step(self, closure: Loss) -> torch.Tensor:
        with torch.enable_grad():
            loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                z = torch.randn(p.shape, generator=self.generator, dtype=p.dtype)
                p.add_(p.grad, alpha=-group["lr"]).add_(z.to(p.device), alpha=group["std"])
        return loss


def cross_entropy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> Loss:
    """Mean cross-entropy of `model`'s (n, classes) logits on class labels y, as a closure."""
    return lambda: nn.functional.cross_entropy(model(x), y)


def logistic(model: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
             y: torch.Tensor) -> Loss:
    """Mean logistic loss log(1 + exp(-y f(x))) of `model`'s scores on labels in {-1, +1}; the
    labels must have the scores' shape ((n,) or (n, 1)), which broadcasting would hide."""

    def loss() -> torch.Tensor:
        scores = model(x)
        if scores.shape != y.shape:
            raise ValueError(f"logistic: scores {tuple(scores.shape)} and labels "
                             f"{tuple(y.shape)} differ in shape")
        return nn.functional.softplus(-y * scores).mean()

    return loss


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup: int,
                  total: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate peak x min(1, s / warmup) x (1 + cos(pi s / total)) / 2 at step s: a linear
    warm-up inside a cosine decay to 0 at `total` (the anchor-function papers' schedule)."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, s / warmup) * (1 + math.cos(math.pi * s / total)) / 2)


def last_position_logits(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """(batch, vocab) logits at the last position of `model`'s (batch, seq, vocab) output,
    through the model's `last_logits` speed path when it has one (see the transformer role)."""
    fast = getattr(model, "last_logits", None)
    return fast(tokens) if callable(fast) else model(tokens)[:, -1]


def last_token_cross_entropy(model: nn.Module, tokens: torch.Tensor, targets: torch.Tensor,
                             batch: int, generator: torch.Generator) -> Loss:
    """Cross-entropy of the logits at the last position of `model`'s (n, seq, vocab) output
    against `targets`, on a fresh minibatch of `batch` sequences drawn uniformly with replacement
    (indices from `generator`, on the CPU) at every call."""
    def loss() -> torch.Tensor:
        rows = torch.randint(len(tokens), (batch,), generator=generator).to(tokens.device)
        return nn.functional.cross_entropy(last_position_logits(model, tokens[rows]),
                                           targets[rows])
    return loss
