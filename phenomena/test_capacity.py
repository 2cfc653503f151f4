"""Capacity at overparameterisation: the optimistic estimate (Zhang et al. 2023) says a nonlinear
model can recover a target from as few samples as the dimension of the model's own manifold at
that target, far fewer than its parameters; small initialisation is what lets training find it."""

import math

import torch

from harness import claim, control, paper, per_scale, train
from harness.ensemble import Ensemble, batched_mse
from harness.tasks import optimistic
from harness.tasks.matrix_completion import rank_one_target
from harness.tasks.optimistic import determining_entries


def fit_trials(run, ensemble: Ensemble, x: torch.Tensor, y: torch.Tensor, lr: float,
               steps: int) -> None:
    """Full-batch GD on every trial at once, stopped once every trial's training loss < 1e-12."""
    loss = batched_mse(ensemble, x, y)

    def all_fitted(step: int) -> bool:
        with torch.no_grad():
            return bool((ensemble(x) - y).pow(2).flatten(1).mean(1).max() < 1e-12)

    train.fit(loss, torch.optim.SGD(ensemble.parameters(), lr=lr), steps=steps,
              observe=all_fitted, every=100)


STOP_LOSS = 1e-8  # the authors' stopping rule: a trial stops once its training MSE is below it
RECOVERED_1D = 1e-3  # test MSE below which a 1-D trial counts as having recovered tanh(x + 1)
SIZES = list(range(1, 10))  # the authors' sample sizes n = 1..9


def sample_size_sweep(run, width: int, in_dim: int, conditions: tuple[tuple[float, str], ...],
                      trials: int, steps: int) -> dict[tuple[float, str], torch.Tensor]:
    """The authors' neural-network experiment (course notebook xuzhiqin1990/understanding_dl,
    code/Optimistic_Estimate/): tanh networks of `width` neurons (hidden bias, no output bias,
    every weight ~ N(0, init_std^2)), each fitted by full-batch Adam (lr 0.1) on the MSE of its
    own n samples x ~ U[-1, 1]^in_dim of the target tanh(x_1 + 1), for n = 1..9 and `trials`
    trials each; a trial stops at training MSE < 1e-8 (checked every 10 steps) or after `steps`.
    Every condition (init_std, inputs) is one more block of the same ensemble (see
    harness/tasks/optimistic.padded_samples for `inputs`). Returns per condition the test MSE
    on 1,000 points with each trial's parameters at its stop, shape (len(SIZES), trials)."""
    sizes = torch.tensor(SIZES).repeat_interleave(trials)
    models, xs, masks, tests = [], [], [], []
    for init_std, inputs in conditions:
        models += [run.role("two-layer", in_dim=in_dim, width=width, activation="tanh",
                            w_std=init_std, a_std=init_std) for _ in sizes]
        x, mask = optimistic.padded_samples(sizes, in_dim, inputs, run.generator)
        test, _ = optimistic.padded_samples(torch.tensor([1000]), in_dim, inputs, run.generator)
        xs.append(x)
        masks.append(mask)
        tests.append(test.expand(len(sizes), -1, -1))
    nets = Ensemble(models)
    x, mask, test = run.to_device(torch.cat(xs), torch.cat(masks), torch.cat(tests))
    y, test_y = optimistic.shifted_tanh(x), optimistic.shifted_tanh(test)
    count = mask.sum(1)

    def per_trial() -> torch.Tensor:
        return ((nets(x) - y).squeeze(-1).pow(2) * mask).sum(1) / count

    stopped = torch.zeros(len(count), dtype=torch.bool)
    at_stop = [p.detach().clone() for p in nets.parameters()]

    def record(step: int) -> bool:
        """Keep the parameters of the trials that have just reached the stopping loss."""
        with torch.no_grad():
            ending = (per_trial() < STOP_LOSS).cpu() & ~stopped
            if ending.any():
                rows = ending.to(x.device)
                for kept, p in zip(at_stop, nets.parameters(), strict=True):
                    kept[rows] = p[rows]
                stopped[ending] = True
        return bool(stopped.all())

    train.fit(lambda: per_trial().sum(), torch.optim.Adam(nets.parameters(), lr=0.1),
              steps=steps, observe=record, every=10)
    with torch.no_grad():
        rows = stopped.to(x.device)
        for kept, p in zip(at_stop, nets.parameters(), strict=True):
            p[rows] = kept[rows]
        error = (nets(test) - test_y).pow(2).mean((1, 2)).cpu()
    blocks = error.view(len(conditions), len(SIZES), trials)
    return {condition: block for condition, block in zip(conditions, blocks, strict=True)}


def samples_to_recover(errors: torch.Tensor) -> float:
    """1 + sum over n = 1..9 of the share of trials that did not recover the target (test MSE
    >= RECOVERED_1D): the sample size from which the trials recover, read off the whole
    recovery curve (it is n0 when every trial recovers from n0 on and none before); NaN when
    at n = 9 no more than half of the trials recovered (recovery not seen within the sizes)."""
    share = (errors < RECOVERED_1D).double().mean(1)
    if not share[-1] > 0.5:
        return math.nan
    return float(SIZES[0] + (1 - share).sum())


# Per input dimension, the conditions that share one ensemble: the claim's and its control's.
CONDITIONS = {1: ((1e-12, "independent"), (1.0, "independent")),
              3: ((1e-12, "independent"), (1e-12, "duplicate"))}


def sweep_1d(run, width: int, in_dim: int) -> dict[tuple[float, str], float]:
    """samples_to_recover of every condition of CONDITIONS[in_dim] at this width."""
    errors = sample_size_sweep(run, width, in_dim, CONDITIONS[in_dim],
                               trials=run.scaled(ci=10, paper=10),
                               steps=run.scaled(ci=600, paper=10_000))
    return {condition: (samples_to_recover(block), (block < RECOVERED_1D).double().mean(1))
            for condition, block in errors.items()}


def recovery_sizes(run, condition: tuple[float, str], *nets: tuple[int, int]) -> list[float]:
    """The sample size to recover of `condition` for each (width, in_dim) in `nets`; the seed
    is invalid unless more than half of every net's trials recovered at n = 9 (a recovery not
    seen within the sizes is not a measurement)."""
    sizes = []
    for width, in_dim in nets:
        size, shares = run.shared(sweep_1d, width=width, in_dim=in_dim)[condition]
        for n, share in zip(SIZES, shares, strict=True):
            run.trace(f"share recovered, width {width}, {in_dim} input(s)", n, share,
                      x_label="n", level=0.5)
        sizes.append(size)
    for (width, in_dim), size in zip(nets, sizes, strict=True):
        run.require(math.isfinite(size), f"width {width}, {in_dim} input(s): no more than half "
                                         f"of the trials recovered the target at n = 9")
    return sizes


TO_RECOVER = ("n_rec = 1 + sum over n = 1..9 of the share of 10 trials not recovered (test MSE "
              ">= 1e-3 on 1,000 points)")


@claim(
    id="capacity/optimistic-sample-size",
    statement="Free expressiveness in width: the sample size a tanh network needs to recover "
              "tanh(x + 1) does not grow with the width: under tiny initialisation networks of "
              "2 and 20 neurons (6 and 60 parameters, optimistic sample size 3 for both) "
              "recover it from the same n.",
    source=paper("zhang2023optimistic", "Sec. 5 (free expressiveness in width); authors' code: "
                                        "xuzhiqin1990/understanding_dl, code/Optimistic_Estimate/ "
                                        "(NN experiment: widths 2 and 20, n = 1..9, 10 trials)",
                 reported="optimistic sample size 3 for both widths (the dashed line of the "
                          "notebook's heat maps); mean test MSE reaches 1e-4 from n = 4 (width "
                          "2) and n = 6 (width 20) in that notebook's output"),
    metric=f"n_rec(width 20) - n_rec(width 2); {TO_RECOVER}",
    holds_if=("<", 0.5),
    control=control("large initialisation (std 1: no condensation)", init_std=1.0),
    seeds=per_scale(ci=3, paper=8),
    seed_name="capacity/optimistic-1d",
    xfail="measured n_rec(20) - n_rec(2) = 2.3 1.7 1.6 / 2.2 1.4 2.7 / 1.2 1.5 1.8 (base seeds "
          "0/1/2; at base seed 0 n_rec is 3.2-3.5 for width 2, at its optimistic size 3, and "
          "4.9-5.6 for width 20; large-init control 1.5 2.2 2.2 / 2.1 invalid 2.9 / 2.2 "
          "invalid 2.4, n_rec 4.6-5.1 and 6.6-6.9): in the authors' setting (CI: 600 "
          "of their 10,000 Adam steps) the 20-neuron net needs about 1.5-2.5 more samples than "
          "the 2-neuron one, whatever the init. The authors' own notebook output agrees (mean "
          "test MSE over 10 trials read off its heat map: width 2 reaches 1e-4 from n = 4, "
          "width 20 from n = 6, after 1.6e-3, 3.1e-3, 7e-2 at n = 3, 4, 5), although the dashed "
          "line they draw marks n = 3 for both: the optimistic size is 3 for both, and the "
          "paper leaves its dynamical realisation open. Width does cost far less than "
          "connections (capacity/costly-connection: +4 parameters, +3.3 to +4.5 samples)",
)
def width_does_not_raise_sample_size(run, init_std=1e-12):
    narrow, wide = recovery_sizes(run, (init_std, "independent"), (2, 1), (20, 1))
    return wide - narrow


@claim(
    id="capacity/costly-connection",
    statement="Costly expressiveness in connection: two more input connections per neuron "
              "(inputs x2, x3 ~ U[-1, 1] that the target tanh(x1 + 1) ignores; +4 parameters on "
              "a 2-neuron tanh net) raise the optimistic sample size from 3 to 5, and the sample "
              "size from which tiny-initialised networks recover the target rises with it, by "
              "more than 1.5 samples.",
    source=paper("zhang2023optimistic", "Sec. 5 (free expressiveness in width, costly "
                                        "expressiveness in connection); authors' code: "
                                        "xuzhiqin1990/understanding_dl, code/Optimistic_Estimate/ "
                                        "(its 1-D NN experiment, extended here with inputs)"),
    metric=f"n_rec(3 inputs) - n_rec(1 input), width 2; {TO_RECOVER}",
    holds_if=(">", 1.5),
    control=control("the added inputs copy x1 (the same 4 extra weights, no new direction: "
                    "optimistic size stays 3)", inputs="duplicate"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="capacity/optimistic-1d",
)
def connections_raise_sample_size(run, inputs="independent"):
    base, = recovery_sizes(run, (1e-12, "independent"), (2, 1))
    connected, = recovery_sizes(run, (1e-12, inputs), (2, 3))
    return connected - base


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
    run.trace_array("log10 relative Frobenius error per trial (sorted)", error.sort()[0].log10())
    return float((error < 1e-2).double().mean())


@claim(
    id="capacity/matrix-completion-optimistic",
    statement="Under small initialisation a factorised 4 x 4 matrix recovers a rank-one target "
              "in a sizeable share of trials (> 1/4) from about its optimistic number of "
              "entries (d = 4 determining entries plus one), far fewer than its 16 entries and "
              "32 parameters; large initialisation fits the same entries and never recovers it.",
    source=paper("zhang2023optimistic", "Sec. 4, Figs. 2-3 (matrix factorisation, small init "
                                        "recovers at the optimistic size, large init does not), "
                                        "as the research notes report them; authors' code read: "
                                        "xuzhiqin1990/understanding_dl, code/Optimistic_Estimate/ "
                                        "(4 x 4 factorisation, ranks 1-3)",
                 reported="small init recovers a rank-r 4 x 4 matrix from its optimistic size "
                          "2rd - r^2: 7, 12, 15 entries for ranks 1-3"),
    metric="share of 16 trials whose completed matrix has relative Frobenius error < 1e-2",
    holds_if=(">", 0.25),
    control=control("large initialisation (alpha = 1)", alpha=1.0),
    seeds=per_scale(ci=3, paper=8),
)
def matrix_completion_from_optimistic_entries(run, alpha=1e-3):
    return share_recovered_rank_one(run, alpha, extra=1, trials=run.scaled(ci=16, paper=64))
