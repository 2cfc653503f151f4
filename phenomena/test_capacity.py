"""Capacity at overparameterisation: the optimistic estimate (Zhang et al. 2023) says a nonlinear
model can recover a target from as few samples as the dimension of the model's own manifold at
that target, far fewer than its parameters; small initialisation is what lets training find it."""

import torch

from harness import claim, control, paper, per_scale, train
from harness.ensemble import Ensemble, batched_mse
from harness.tasks.matrix_completion import rank_one_target
from harness.tasks.optimistic import determining_entries, tanh_neuron

RECOVERED = 1e-3  # test MSE below which a trial counts as having recovered the neuron


def fit_trials(run, ensemble: Ensemble, x: torch.Tensor, y: torch.Tensor, lr: float,
               steps: int) -> None:
    """Full-batch GD on every trial at once, stopped once every trial's training loss < 1e-12."""
    loss = batched_mse(ensemble, x, y)

    def all_fitted(step: int) -> bool:
        with torch.no_grad():
            return bool((ensemble(x) - y).pow(2).flatten(1).mean(1).max() < 1e-12)

    train.fit(loss, torch.optim.SGD(ensemble.parameters(), lr=lr), steps=steps,
              observe=all_fitted, every=100)


NEURON = torch.tensor([0.6, 0.8, 1.0, 0.0, 0.0], dtype=torch.float64)  # one neuron of Fig. 4


def share_recovered_one_neuron(run, width: int, n: int, init_std: float, trials: int) -> float:
    """Zhang et al. 2023, Fig. 4 with a one-neuron target: tanh(0.6 x1 + 0.8 x2 + x3) on x ~
    N(0, I_5); `trials` tanh networks of `width` neurons (weights, biases and output weights ~
    N(0, init_std^2), float64) each fitted by GD to its own n samples; the share whose MSE on
    1,000 test points is below RECOVERED."""
    dim = len(NEURON)
    nets = Ensemble([run.role("two-layer", in_dim=dim, width=width, activation="tanh",
                              w_std=init_std, a_std=init_std, dtype=torch.float64)
                     for _ in range(trials)])
    x = torch.randn(trials, n, dim, generator=run.generator, dtype=torch.float64)
    test = torch.randn(1000, dim, generator=run.generator, dtype=torch.float64)
    y = torch.stack([tanh_neuron(xt, NEURON) for xt in x])
    x, y, test = run.to_device(x, y, test)
    fit_trials(run, nets, x, y, lr=0.5, steps=run.scaled(ci=2000, paper=20_000))
    with torch.no_grad():
        error = (nets(test.expand(trials, -1, -1)) - tanh_neuron(test, NEURON)).pow(2).mean((1, 2))
    return float((error < RECOVERED).double().mean())


@claim(
    id="capacity/optimistic-sample-size",
    statement="A target one tanh neuron expresses (optimistic sample size d + 2 = 7 with the "
              "bias) is recovered under small initialisation by a network of 10 or 100 "
              "neurons (70-700 parameters) from 9 samples: free expressiveness in width, the "
              "sample size needed does not grow with the width.",
    source=paper("zhang2023optimistic", "Sec. 5, Fig. 4 (two-layer tanh NN, d = 5, widths "
                                        "1-100, init variance 1e-20)"),
    metric="least share, over widths 10 and 100, of 8 trials with test MSE < 1e-3 at n = 9",
    holds_if=(">", 0.5),
    control=control("large initialisation (std 1)", init_std=1.0),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured at CI scale: 0.00 in every seed, base seeds 0-2 (pilot, 32 trials, 8,000 "
          "steps: m = 10 recovers in 0.03 at n = 9; a one-neuron net, m = 1, in 0.94 at n = 9, "
          "0.59 at n = 7): the wide nets condense on one direction but "
          "keep neurons of different scales, a ridge profile flexible enough to interpolate 9 "
          "points with the wrong direction; GD does not realise the optimistic size in width",
)
def wide_net_recovers_one_neuron(run, init_std=1e-10):
    widths = run.scaled(ci=[10, 100], paper=[10, 100, 1000])
    trials = run.scaled(ci=8, paper=64)
    return min(share_recovered_one_neuron(run, width, n=9, init_std=init_std, trials=trials)
               for width in widths)


def share_recovered_rank_one(run, alpha: float, extra: int, trials: int, dim: int = 4) -> float:
    """Zhang et al. 2023, Fig. 2-3 for the symmetric factorisation W = U U^T - V V^T of the
    matrix-factorisation role (U = V = alpha I): the rank-one target X*_ij = i j / d^2 seen
    through `dim` entries that determine it (its optimistic sample size: a rank-one symmetric
    d x d matrix has d degrees of freedom) plus `extra`; each trial its own entries, fitted by
    full-batch GD; the share whose whole matrix is within relative Frobenius error 1e-2."""
    target = rank_one_target(dim)
    models = Ensemble([run.role("matrix-factorisation", dim=dim, alpha=alpha)
                       for _ in range(trials)])
    index = torch.stack([determining_entries(dim, extra, run.generator) for _ in range(trials)])
    y = target[index[..., 0], index[..., 1]]
    index, y = run.to_device(index, y)
    fit_trials(run, models, index, y, lr=1.5, steps=run.scaled(ci=3000, paper=30_000))
    every = torch.cartesian_prod(torch.arange(dim), torch.arange(dim))
    with torch.no_grad():
        full = models(run.to_device(every)[0].expand(trials, -1, -1)).reshape(trials, dim, dim)
    error = (full.cpu() - target).flatten(1).norm(dim=1) / target.norm()
    return float((error < 1e-2).double().mean())


@claim(
    id="capacity/matrix-completion-optimistic",
    statement="Under small initialisation a factorised 4 x 4 matrix recovers a rank-one target "
              "in a sizeable share of trials (> 1/4) from about its optimistic number of "
              "entries (d = 4 determining entries plus one), far fewer than its 16 entries and "
              "32 parameters; large initialisation fits the same entries and never recovers it.",
    source=paper("zhang2023optimistic", "Sec. 4, Figs. 2-3 (matrix factorisation, small init "
                                        "recovers at the optimistic size, large init does not)"),
    metric="share of 16 trials whose completed matrix has relative Frobenius error < 1e-2",
    holds_if=(">", 0.25),
    control=control("large initialisation (alpha = 1)", alpha=1.0),
    seeds=per_scale(ci=3, paper=8),
)
def matrix_completion_from_optimistic_entries(run, alpha=1e-3):
    return share_recovered_rank_one(run, alpha, extra=1, trials=run.scaled(ci=16, paper=64))
