"""Grokking: a network fits its training set long before it generalises, and what sets the delay
(weight decay, the scale of initialisation, where LayerNorm sits)."""

import math

import numpy as np
import torch

from harness import claim, control, majority, measures, paper, per_scale, tasks, train


def grok_modular_addition_mlp(run, weight_decay: float, budget: int, p: int = 59,
                              train_fraction: float = 0.5, lr: float = 2e-2,
                              logit_scale: float = 1.0, generalise_at: float = 0.95,
                              curve: str = "") -> dict[str, float]:
    """The catalogue's fast form of the Omnigrok MLP (Liu et al. 2023, Sec. 3): a + b mod p (59)
    on a seeded half of the table; relu(E_1[a] + E_2[b] + b_0) -> linear readout, width 128;
    cross-entropy of the logits times `logit_scale` (a readout scale; 1: none), full-batch AdamW
    lr 2e-2 (the catalogue's 1e-2 groks at ~1,100 steps, this at ~750), betas (0.9, 0.98).
    Records the first step (checked every 10) with train accuracy >= 0.99 and with test
    accuracy >= `generalise_at`; stops at the latter. `curve` is appended to the traces' names
    (a claim that traces several runs tells them apart by it)."""
    pairs, labels = tasks.modular_addition(p)
    train_idx, test_idx = tasks.train_test_split(len(labels), train_fraction, run.generator)
    pairs, labels = run.to_device(pairs, labels)
    net = run.role("embedding-mlp", vocab=p, n_tokens=2, width=128)
    crossings = measures.FirstCrossings(fit=0.99, generalise=generalise_at)

    def record(step: int) -> bool:
        with torch.no_grad():
            logits = net(pairs)
        fit = measures.accuracy(logits[train_idx], labels[train_idx])
        generalise = measures.accuracy(logits[test_idx], labels[test_idx])
        run.trace(f"train accuracy{curve}", step, fit, level=0.99)
        run.trace(f"test accuracy{curve}", step, generalise, level=generalise_at)
        return crossings.record(step, fit=fit, generalise=generalise)

    def scaled_logits(x: torch.Tensor) -> torch.Tensor:
        return logit_scale * net(x)  # times 1.0 is exact: the unscaled run is unchanged

    optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay,
                                  betas=(0.9, 0.98))
    train.fit(train.cross_entropy(scaled_logits, pairs[train_idx], labels[train_idx]),
              optimiser, steps=budget, observe=record, every=10)
    return {"fit": crossings.step("fit"), "generalise": crossings.step("generalise")}


@claim(
    id="grokking/modular-addition",
    statement="With weight decay, a network trained on half of the a + b mod p table reaches "
              "99% training accuracy long before 95% test accuracy: it memorises, then groks.",
    source=paper("power2022grokking", "Fig. 1 (left: x / y mod 97, 50% of the table, Adam, no "
                 "weight decay); here a + b mod 59 with the MLP of Liu et al. 2023 and AdamW",
                 reported="train accuracy near 100% at ~1e3 steps; validation reaches it only "
                          "at ~1e6 steps, little of it before 1e5"),
    metric="steps to test accuracy >= 0.95 over steps to train accuracy >= 0.99, within 1,200 "
           "full-batch steps; both observed on the claim side",
    holds_if=(">", 5.0),
    control=control("no weight decay (fits; test accuracy never reaches 0.95: value 0)",
                    weight_decay=0.0),
    seeds=per_scale(ci=3, paper=8),
)
def fits_long_before_generalising(run, weight_decay=1.0):
    steps = grok_modular_addition_mlp(run, weight_decay, budget=run.scaled(ci=1_200, paper=5_000))
    return measures.grokking_delay(run, steps["fit"], steps["generalise"],
                                   must_generalise=weight_decay > 0)


READOUT_SCALES = (0.5, 2.0)


def readout_scale_grokking_step(run, alpha: float, lr: float, budget: int) -> float:
    """The first step (checked every 10) with test accuracy >= 0.9 of the modular-addition MLP
    with its logits times the readout scale `alpha`, AdamW at `lr` (weight decay 1); inf if it
    does not come within `budget` steps. p = 23 on a seeded 65% of the table (a run at p = 59
    costs ~3 s; on 60% of p = 23 alpha = 0.5 does not grok within 2,000 steps, on 70% the two
    scales grok alike: the readout scale matters where grokking is hard)."""
    steps = run.shared(grok_modular_addition_mlp, weight_decay=1.0, budget=budget, p=23,
                       train_fraction=0.65, lr=lr, logit_scale=alpha, generalise_at=0.9,
                       curve=f" (alpha = {alpha:g})")
    return steps["generalise"]


@claim(
    id="grokking/readout-scale-confound",
    statement="Multiplying the logits by a readout scale alpha is not a clean lazy-training knob "
              "under AdamW: with the learning rate fixed, larger alpha groks sooner, the reverse "
              "of what the eta0 / alpha^2 convention shows, because AdamW's update does not "
              "depend on alpha and its weight decay is eta lambda theta.",
    source=paper("singh2026grokking", "Sec. 3.2, Fig. 5 (a one-layer transformer; here the "
                 "modular-addition MLP: the argument is about AdamW's update and decay, not the "
                 "architecture)",
                 reported="eta fixed: alpha = 1.5 groks by ~6.5k epochs, 1.0 by ~7.7k, 0.5 "
                          "not by 10k; eta0 / alpha^2: alpha = 0.5 by ~1.8k, 1.5 not by 10k"),
    metric="ln T(0.5) - ln T(2), T the first step with test accuracy >= 0.9 (checked every 10) "
           "within 1,500 full-batch AdamW steps (lr 4e-2, weight decay 1); both observed on the "
           "claim side",
    holds_if=(">", 0.0),
    control=control("eta = eta0 / alpha^2 (Kumar et al.'s convention, eta0 = 4e-2: alpha = 0.5 "
                    "at 0.16, alpha = 2 at 1e-2); a T(2) not observed within the budget counts "
                    "as the budget, which can only raise the value", lr_convention="eta0/alpha^2"),
    seeds=per_scale(ci=3, paper=8),
    verdict=majority,
)
def larger_readout_scale_groks_sooner(run, lr_convention="fixed"):
    eta0, budget = 4e-2, run.scaled(ci=1_500, paper=5_000)
    small, large = (readout_scale_grokking_step(
        run, alpha, eta0 / alpha**2 if lr_convention == "eta0/alpha^2" else eta0, budget)
        for alpha in READOUT_SCALES)
    run.require(math.isfinite(small), f"alpha = {READOUT_SCALES[0]:g} did not reach test "
                                      f"accuracy 0.9 within {budget} steps")
    if lr_convention == "fixed":
        run.require(math.isfinite(large), f"alpha = {READOUT_SCALES[1]:g} did not reach test "
                                          f"accuracy 0.9 within {budget} steps")
    return math.log(small) - math.log(min(large, budget))


def accuracy_under_decay(run, net: torch.nn.Module, data, weight_decay: float, lr: float,
                         horizon: float, stop, scores=None) -> list[tuple[float, float]]:
    """Full-batch GD with weight decay (Lyu et al. 2024, Sec. 3: logistic loss, large init) of
    `net`, whose (n,) scores are `scores(x)` (default: `net(x)`), on `data` = (x, y, x_test,
    y_test); returns (time t = lr x steps, test accuracy) every time unit until `stop(curve)` is
    true or t reaches the horizon. The training set must be fitted by then."""
    x, y, x_test, y_test = data
    scores = net if scores is None else scores
    curve: list[tuple[float, float]] = []

    def record(step: int) -> bool:
        with torch.no_grad():
            curve.append((step * lr, measures.accuracy(scores(x_test), y_test)))
        return step > 0 and stop(curve)

    optimiser = torch.optim.SGD(net.parameters(), lr=lr, weight_decay=weight_decay)
    loss = train.logistic(scores, x, y)
    train.fit(loss, optimiser, steps=round(horizon / lr), observe=record, every=round(1 / lr))
    train.require_fit(run, loss)
    return curve


def diagonal_net_test_accuracy(run, data, alpha: float, weight_decay: float, lr: float,
                               horizon: float, stop) -> list[tuple[float, float]]:
    """`accuracy_under_decay` of a diagonal linear net of init scale alpha."""
    data = run.to_device(*data)
    net = run.role("diagonal-linear", dim=data[0].shape[1], alpha=alpha)
    return accuracy_under_decay(run, net, data, weight_decay, lr, horizon, stop)


SPARSE_HORIZON = 200.0


def first_time_at(curve: list[tuple[float, float]], level: float) -> float:
    """The first time test accuracy reached `level`; inf if it never did."""
    return next((t for t, acc in curve if acc >= level), math.inf)


def sparse_transition_time(run, alpha: float, weight_decay: float) -> float:
    """Lyu et al. 2024, Fig. 1a, shrunk: 100 training points x in {-1, +1}^2000 labelled by the
    sign of a 3-sparse majority, 2,000 test points; GD lr 0.1. Returns t*, the first time with
    test accuracy >= 0.95 (the max-L1-margin solution has taken over), or inf if it does not
    come by t = 200."""
    data = (*tasks.sparse_majority(100, 2000, 3, run.generator),
            *tasks.sparse_majority(2000, 2000, 3, run.generator))
    curve = diagonal_net_test_accuracy(run, data, alpha, weight_decay, lr=0.1,
                                       horizon=SPARSE_HORIZON,
                                       stop=lambda curve: curve[-1][1] >= 0.95)
    return first_time_at(curve, 0.95)


def lambda_transition_times(run, settings: list[tuple[float, float]], weight_decay_on: bool,
                            transition_time=sparse_transition_time,
                            horizon: float = SPARSE_HORIZON) -> list[float]:
    """lambda t* for each (alpha, lambda) of `settings`, t* from the shared run
    `transition_time(run, alpha, weight_decay)`. With weight decay every transition must be
    observed by the horizon (else the seed's measurement is invalid); without, the transition
    never comes, and t* counts as the horizon."""
    times = [run.shared(transition_time, alpha=alpha, weight_decay=lam * weight_decay_on)
             for alpha, lam in settings]
    if weight_decay_on:
        run.require(all(math.isfinite(t) for t in times),
                    f"no transition by t = {horizon:g} at some (alpha, lambda)")
    return [lam * min(t, horizon) for (_, lam), t in zip(settings, times, strict=True)]


def slope_against_log_alpha(run, alphas: tuple[float, ...], lam_t: list[float]) -> float:
    """The least-squares slope of lambda t* against ln alpha (the law's is 1), traced with its
    line."""
    slope, intercept = np.polyfit(np.log(alphas), lam_t, 1)
    for alpha, value in zip(alphas, lam_t, strict=True):
        run.trace("lambda t* (slope 1 in the law)", math.log(alpha), value, x_label="ln alpha")
        run.trace("least-squares line", math.log(alpha), intercept + slope * math.log(alpha),
                  x_label="ln alpha")
    return float(slope)


@claim(
    id="grokking/dichotomy-time",
    statement="With large initialisation alpha and small weight decay lambda, a diagonal linear "
              "net memorises with a kernel predictor and switches to the max-margin one at "
              "t* ~ (1/lambda) log alpha: lambda t* grows like log alpha, with slope 1.",
    source=paper("lyu2024dichotomy", "Sec. 3 and Fig. 1a (sparse linear classification)",
                 reported="transition near t = (1/lambda) log alpha"),
    metric="|slope - 1| of lambda t* against ln alpha over alpha = 8, 32, 128 at lambda = 0.1 "
           "(t* = first time with test accuracy >= 0.95, observed by t = 200)",
    holds_if=("<", 0.2),
    control=control("no weight decay (the transition never comes: t* counts as t = 200)",
                    weight_decay_on=False),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/dichotomy",
)
def transition_time_grows_with_log_alpha(run, weight_decay_on=True):
    alphas = (8.0, 32.0, 128.0)
    lam_t = lambda_transition_times(run, [(alpha, 0.1) for alpha in alphas], weight_decay_on)
    return abs(slope_against_log_alpha(run, alphas, lam_t) - 1)


PARITY_HORIZON = 150.0


def parity_transition_time(run, alpha: float, weight_decay: float) -> float:
    """The dichotomy in a homogeneous ReLU net: f(x) = sum_k a_k relu(w_k . x), no biases, 100
    neurons in antisymmetric pairs (f = 0 at init), w ~ N(0, alpha^2 I / 30), a ~ N(0, alpha^2 /
    100), so f is 2-homogeneous in its parameters; 200 training points of {-1, +1}^30 labelled
    x_1 x_2 (2-sparse parity), 1,000 test points; GD lr 0.1. Returns t*, the first time with
    test accuracy >= 0.95 (the kernel phase stays near 0.55-0.65), or inf if not by t = 150."""
    points = [tasks.hypercube_points(n, 30, run.generator) for n in (200, 1_000)]
    x, x_test = run.to_device(*points)
    net = run.role("two-layer", in_dim=30, width=100, w_std=alpha / 30**0.5, a_std=alpha / 10,
                   antisymmetric=True, bias=False)
    data = (x, tasks.sparse_parity(x, [0, 1])[:, 0], x_test,
            tasks.sparse_parity(x_test, [0, 1])[:, 0])
    curve = accuracy_under_decay(run, net, data, weight_decay, lr=0.1, horizon=PARITY_HORIZON,
                                 stop=lambda curve: curve[-1][1] >= 0.95,
                                 scores=lambda z: net(z)[:, 0])
    return first_time_at(curve, 0.95)


@claim(
    id="grokking/dichotomy-relu",
    statement="The dichotomy holds in a homogeneous ReLU network too: with large init alpha and "
              "small weight decay lambda, a two-layer ReLU net without biases memorises 2-sparse "
              "parity with its kernel predictor and generalises only near t* ~ (1/lambda) "
              "log alpha: lambda t* grows like log alpha, with slope 1.",
    source=paper("lyu2024dichotomy", "Sec. 4 (the theorem for homogeneous networks: the late "
                 "phase follows the max-margin problem after t ~ (1/lambda) log alpha); the "
                 "task here is ours, 2-sparse parity in 30 dimensions",
                 reported="transition near t = (1/lambda) log alpha"),
    metric="|slope - 1| of lambda t* against ln alpha over alpha = 16, 64, 256 at lambda = 0.1 "
           "(t* = first time with test accuracy >= 0.95, observed by t = 150; the training set "
           "fitted first)",
    holds_if=("<", 0.2),
    control=control("no weight decay (the transition never comes: t* counts as t = 150)",
                    weight_decay_on=False),
    seeds=per_scale(ci=3, paper=8),
)
def relu_transition_time_grows_with_log_alpha(run, weight_decay_on=True):
    alphas = (16.0, 64.0, 256.0)
    lam_t = lambda_transition_times(run, [(alpha, 0.1) for alpha in alphas], weight_decay_on,
                                    parity_transition_time, PARITY_HORIZON)
    return abs(slope_against_log_alpha(run, alphas, lam_t) - 1)


@claim(
    id="grokking/dichotomy-lambda",
    statement="The transition time scales as 1/lambda: lambda t* stays nearly constant as the "
              "weight decay lambda changes four-fold.",
    source=paper("lyu2024dichotomy", "Sec. 3, Fig. 1a",
                 reported="transition between (1 - c) and (1 + c) log(alpha) / lambda"),
    metric="max / min of lambda t* over lambda = 0.025, 0.05, 0.1 at alpha = 32 (t* observed "
           "by t = 200)",
    holds_if=("<", 1.35),
    control=control("no weight decay (the transition never comes: t* counts as t = 200)",
                    weight_decay_on=False),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/dichotomy",
)
def transition_time_scales_inversely_with_lambda(run, weight_decay_on=True):
    lambdas = (0.025, 0.05, 0.1)
    lam_t = lambda_transition_times(run, [(32.0, lam) for lam in lambdas], weight_decay_on)
    for lam, value in zip(lambdas, lam_t, strict=True):
        run.trace("lambda t* (constant in the law)", lam, value, x_label="lambda")
    return max(lam_t) / min(lam_t)


def misgrokking_drop(run, weight_decay: float, drop: float) -> float:
    """Lyu et al. 2024, Fig. 1b, shrunk: 32 points x = z + 12.5 sign(<z, w*>) w* in 20,000
    dimensions (w* a random unit vector), labels sign(<z, w*>), 500 test points; alpha 32,
    GD lr 0.1. Returns the largest fall of test accuracy below its running peak, stopping once
    it reaches `drop`; valid only if the peak is a generalising one (test accuracy >= 0.95;
    measured 1.0 from t = 1)."""
    w_star = tasks.random_unit_vector(20_000, run.generator)
    data = (*tasks.large_margin_dense(32, 20_000, 25.0, w_star, run.generator),
            *tasks.large_margin_dense(500, 20_000, 25.0, w_star, run.generator))

    def fall(curve) -> float:
        accs = np.array([acc for _, acc in curve])
        return float((np.maximum.accumulate(accs) - accs).max())

    curve = diagonal_net_test_accuracy(run, data, 32.0, weight_decay, lr=0.1, horizon=80.0,
                                       stop=lambda curve: fall(curve) >= drop)
    for t, acc in curve:
        run.trace("test accuracy", t, acc, x_label="t = lr x steps")
    peak = max(acc for _, acc in curve)
    run.require(peak >= 0.95, f"the early predictor never generalised (best test accuracy "
                              f"{peak:.3g}, below 0.95): no peak to fall from")
    return fall(curve)


@claim(
    id="grokking/misgrokking",
    statement="When the data have a large L2 margin along a dense direction, the early kernel "
              "predictor of a diagonal linear net generalises and the late max-L1-margin one "
              "does not: test accuracy falls late in training (misgrokking).",
    source=paper("lyu2024dichotomy", "Fig. 1b and Sec. 3.2.3 (misgrokking)"),
    metric="largest fall of test accuracy below its running peak by t = 80 (lambda = 0.1)",
    holds_if=(">=", 0.1),
    control=control("no weight decay", weight_decay=0.0),
    seeds=per_scale(ci=3, paper=8),
)
def accuracy_falls_late(run, weight_decay=0.1):
    return misgrokking_drop(run, weight_decay, drop=0.1)


MATRIX_LAMBDA = 0.01


def matrix_completion_onset(run, weight_decay_on: bool, alpha: float = 10.0) -> float:
    """Lyu et al. 2024, Fig. 3, shrunk: the rank-1 X*_ij = i j / d^2 with d = 40, a symmetric
    mask observing ~18% of the entries, W = U U^T - V V^T from U = V = alpha I, mean squared
    error on the observed entries, full-batch GD lr 0.1 with weight decay 0.01. Returns the
    first time (t = lr x steps, checked every time unit) at which the error on the unobserved
    entries falls below 0.9 x its initial value, over the law's (1/lambda) ln alpha; inf if
    that does not happen by 2.5 x the law."""
    d, lr, law = 40, 0.1, math.log(alpha) / MATRIX_LAMBDA
    target = tasks.rank_one_target(d)
    observed = tasks.symmetric_mask(d, 0.18, run.generator)
    seen, unseen = tasks.entries(observed), tasks.entries(~observed)
    target, seen, unseen = run.to_device(target, seen, unseen)
    net = run.role("matrix-factorisation", dim=d, alpha=alpha)
    values = target[seen[:, 0], seen[:, 1]]
    hidden = target[unseen[:, 0], unseen[:, 1]]
    initial = float(hidden.pow(2).mean())
    onset: list[float] = []

    def record(step: int) -> bool:
        with torch.no_grad():
            error = float((net(unseen) - hidden).pow(2).mean())
        run.trace("unobserved entries' MSE / its initial value", step * lr, error / initial,
                  x_label="t = lr x steps", level=0.9)
        if error < 0.9 * initial:
            onset.append(step * lr)
        return bool(onset)

    optimiser = torch.optim.SGD(net.parameters(), lr=lr,
                                weight_decay=MATRIX_LAMBDA * weight_decay_on)

    def squared_error() -> torch.Tensor:
        return (net(seen) - values).pow(2).mean()

    train.fit(squared_error, optimiser, steps=round(2.5 * law / lr),
              observe=record, every=round(1 / lr))
    return onset[0] / law if onset else math.inf


@claim(
    id="grokking/matrix-completion",
    statement="In low-rank matrix completion from a large init with small weight decay, the "
              "observed entries are fitted at once while the unobserved ones stay at 0; the "
              "test error starts to fall only near t = (1/lambda) ln alpha.",
    source=paper("lyu2024dichotomy", "Fig. 3 (low-rank matrix completion, shrunk from "
                 "d = 97, 5% observed)"),
    metric="|t_onset / ((1/lambda) ln alpha) - 1|, t_onset the first time the unobserved "
           "entries' MSE is below 0.9 x its initial value (observed by 2.5 x the law)",
    holds_if=("<", 0.5),
    control=control("no weight decay (the onset never comes: counts as 2.5 x the law)",
                    weight_decay_on=False),
    seeds=per_scale(ci=3, paper=8),
)
def unobserved_entries_move_near_the_law(run, weight_decay_on=True):
    onset = matrix_completion_onset(run, weight_decay_on)
    if weight_decay_on:
        run.require(math.isfinite(onset), "the unobserved entries' error did not fall by 2.5 x "
                                          "the law")
    return abs(min(onset, 2.5) - 1)


GROKKED = 0.95  # the test accuracy at which a transformer run counts as grokked, and stops


def grok_modular_addition_transformer(run, norm: str, weight_decay: float,
                                      steps: int) -> dict[str, float]:
    """A fast form of Singh et al. 2026's setting (Sec. 3: mod 113, 30% of the table, d 128,
    lr 1e-3, 10k steps): [a, b, =] -> (a + b) mod p on a seeded 40% of the table; one layer,
    d_model d, 4 heads, MLP 4d ReLU, no causal mask, no biases, LayerNorm without eps at `norm`,
    no final norm, their initialisation; full-batch AdamW, betas (0.9, 0.98), read out at "=".
    CI: p 41, d 48, lr 4e-3; paper scale: p 47, d 64, lr 2e-3 (the former CI setting, whose step
    costs ~2.5x this one's). Every 25 steps records test accuracy; stops once it reaches
    GROKKED, else after `steps`. Returns the steps taken, the best test accuracy, the entropy of
    the attention from "=" and the effective rank of the pre-logit features at "=" (all p^2
    inputs) when training accuracy first reaches 0.99 and at the end, and the curves."""
    p, d = run.scaled(ci=41, paper=47), run.scaled(ci=48, paper=64)
    pairs, labels = tasks.modular_addition(p)
    tokens = tasks.with_equals_token(pairs, equals=p)
    train_idx, test_idx = tasks.train_test_split(len(labels), 0.4, run.generator)
    tokens, labels = run.to_device(tokens, labels)
    net = run.role("transformer", vocab=p + 1, max_len=3, n_layers=1, d_model=d, n_heads=4,
                   d_ff=4 * d, norm=norm, causal=False, bias=False, norm_eps=0.0)

    def answers(idx) -> torch.Tensor:
        """Logits over the p residues, read at "=" (a full forward: the hooks see it)."""
        return net(tokens[idx])[:, -1, :p]

    seen: dict[str, float] = {"best_test": 0.0}
    curves: dict[str, list[tuple[int, float]]] = {}

    def record(step: int) -> bool:
        with torch.no_grad():
            logits = answers(slice(None))
        test_accuracy = measures.accuracy(logits[test_idx], labels[test_idx])
        seen["best_test"] = max(seen["best_test"], test_accuracy)
        seen["entropy"] = measures.attention_entropy(net.attention_maps()[0][:, :, -1])
        seen["rank_end"] = measures.effective_rank(net.features()[:, -1])
        train_accuracy = measures.accuracy(logits[train_idx], labels[train_idx])
        if "rank_fit" not in seen and train_accuracy >= 0.99:
            seen["rank_fit"] = seen["rank_end"]
        for name, value in (("train accuracy", train_accuracy), ("test accuracy", test_accuracy),
                            ("attention entropy from '=' (nats)", seen["entropy"]),
                            ("effective rank of the pre-logit features", seen["rank_end"])):
            curves.setdefault(name, []).append((step, value))
        return seen["best_test"] >= GROKKED

    optimiser = torch.optim.AdamW(net.parameters(), lr=run.scaled(ci=4e-3, paper=2e-3),
                                  weight_decay=weight_decay, betas=(0.9, 0.98))

    def loss() -> torch.Tensor:
        logits = train.last_position_logits(net, tokens[train_idx])[:, :p]
        return torch.nn.functional.cross_entropy(logits, labels[train_idx])

    taken = train.fit(loss, optimiser, steps=steps, observe=record, every=25)
    return {**seen, "steps": taken, "curves": curves}


def transformer_measures(run, norm: str, weight_decay: float = 1.0,
                         traced: tuple[str, ...] = (), label: str = "") -> dict[str, float]:
    """The measures of the seed's run at `norm` and `weight_decay`, which ends at the grokking
    step of the reference run (LN before the MLP, weight decay 1: the step at which its test
    accuracy first reaches GROKKED, or its budget of 1,500 steps at CI, 3,000 at paper scale),
    so every placement and decay is compared at the same step. Its curves named in `traced`
    are recorded as this claim's, as "<curve>, <label>" (the claim and its control name their
    runs alike, so the figure overlays them)."""
    reference = run.shared(grok_modular_addition_transformer, norm="mlp-only", weight_decay=1.0,
                           steps=run.scaled(ci=1_500, paper=3_000))
    seen = reference if (norm, weight_decay) == ("mlp-only", 1.0) else run.shared(
        grok_modular_addition_transformer, norm=norm, weight_decay=weight_decay,
        steps=reference["steps"])
    for name in traced:
        for step, value in seen["curves"][name]:
            run.trace(f"{name}, {label}", step, value)
    return seen


@claim(
    id="grokking/ln-position",
    statement="In a one-layer transformer on modular addition, LayerNorm before the MLP makes "
              "the model grok much sooner than no LayerNorm: at a fixed step it generalises "
              "while the model without LayerNorm has only memorised.",
    source=paper("singh2026grokking", "Sec. 2.3 and Fig. 1 (right: epochs till loss <= 1%, "
                 "5-seed mean); authors' code: jaisidhsingh/layernorm-grok, "
                 "notebooks/plots_2.ipynb (that bar plot) and plots_1.ipynb",
                 reported="epochs to mean test loss <= 1%, read off Fig. 1: LN before the MLP "
                          "~1.4k, both ~3.5k, LN before attention ~7.0k, no LN ~7.7k (train "
                          "loss <= 1% at ~150-310 for all); the notebook's 954 / 3,297 / "
                          "7,126 / 7,763 are epochs to mean test accuracy >= 99.5%"),
    metric="best test accuracy up to the step at which LN before the MLP groks (test accuracy "
           ">= 0.95; within 1,500 steps at CI), with LN at the placement minus without LN (same "
           "seed, same init)",
    holds_if=(">", 0.3),
    control=control("LayerNorm before attention instead (A*, which the paper finds nearly as slow "
                    "as none)", norm="attn-only"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/transformer",
    # Measured 2026-12-03 (CI: p 41, d 48, lr 4e-3, runs ending at the reference's grokking
    # step, 425-1,075 steps): 0.58 0.58 0.56 | 0.56 0.58 0.57 | 0.58 0.58 0.57 over base seeds
    # 0 / 1 / 2; control 0.02 -0.03 -0.03 | -0.02 -0.00 -0.01 | -0.01 0.00 -0.01. Grokking
    # steps have a long tail (one seed in nine past 1,000 steps; at 0.98 instead of 0.95, one
    # not within 1,500), hence the budget.
)
def layer_norm_before_mlp_groks_sooner(run, norm="mlp-only"):
    curves = ("train accuracy", "test accuracy")
    return (transformer_measures(run, norm, traced=curves, label="LN at the placement")["best_test"]
            - transformer_measures(run, "none", traced=curves, label="no LN")["best_test"])


@claim(
    id="grokking/ln-entropy",
    statement="With LayerNorm before the MLP, the attention from '=' spreads over the sequence "
              "(entropy near ln 3); without LayerNorm, at the same step, before it has grokked, "
              "it is still concentrated on fewer tokens.",
    source=paper("singh2026grokking", "Fig. 3c (attention entropy over training by LN "
                 "placement: without LN it starts low and rises only as the model groks)",
                 reported="attention entropy ~ln 3 with LN before the MLP; without LN low, "
                          "rising toward ~0.97 at grokking"),
    metric="entropy (nats) of the attention from '=' at the step at which LN before the MLP "
           "groks (test accuracy >= 0.95), with LN at the placement minus without LN",
    holds_if=(">", 0.5),
    control=control("LayerNorm before attention instead (A*)", norm="attn-only"),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/transformer",
)
def layer_norm_before_mlp_spreads_attention(run, norm="mlp-only"):
    curves = ("attention entropy from '=' (nats)",)
    return (transformer_measures(run, norm, traced=curves, label="LN at the placement")["entropy"]
            - transformer_measures(run, "none", traced=curves, label="no LN")["entropy"])


def run_with_ln_before_the_mlp(run, weight_decay: float) -> dict[str, float]:
    """The shared run with LN before the MLP, its rank and accuracy curves traced."""
    return transformer_measures(run, "mlp-only", weight_decay, label="LN before the MLP",
                                traced=("effective rank of the pre-logit features",
                                        "train accuracy", "test accuracy"))


@claim(
    id="grokking/compressibility",
    statement="Generalisation comes with compressible features: as the transformer groks, the "
              "effective rank of its pre-logit features falls well below its value at the fit.",
    source=paper("singh2026grokking", "Sec. 4.2, Figs. 6 and 9 (rank, stable and effective "
                 "rank of the pre-logit features); authors' code: jaisidhsingh/layernorm-grok, "
                 "notebooks/plots_1.ipynb (onset steps)",
                 reported="no ratio given; with LN before the MLP the effective rank comes "
                          "within 10% of its minimum at ~4.4k epochs, generalisation at 954; "
                          "without LN 8.6k and 7.8k (the notebook's printout)"),
    metric="effective rank of the pre-logit features at '=' (all p^2 inputs) at the step at "
           "which the run groks (test accuracy >= 0.95) over at the first step with train "
           "accuracy >= 0.99 (LN before the MLP; the control read at the same step)",
    holds_if=("<", 0.8),
    control=control("no weight decay (memorises, does not grok)", weight_decay=0.0),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/transformer",
)
def features_compress_as_the_model_groks(run, weight_decay=1.0):
    seen = run_with_ln_before_the_mlp(run, weight_decay)
    return seen["rank_end"] / seen.get("rank_fit", math.nan)  # nan: never fitted, fails


@claim(
    id="grokking/features-evolve",
    statement="The features evolve continuously, not in one switch at grokking: while the "
              "transformer has memorised and not yet generalised, the effective rank of its "
              "pre-logit features already falls below its value at the fit.",
    source=paper("singh2026grokking", "Sec. 4.1 (effective rank and spectrum of the pre-logit "
                 "features change continuously through training, more nuanced than a lazy-to-"
                 "rich switch); here the features of all p^2 inputs, not the training set's"),
    metric="lowest effective rank of the pre-logit features at '=' over the evaluations with "
           "train accuracy >= 0.99 before test accuracy first reaches 0.5, over its value at the "
           "first of them (LN before the MLP); the run must generalise (test accuracy >= 0.9) "
           "within its budget (1,500 steps at CI)",
    holds_if=("<", 0.95),
    control=control("no weight decay (memorises, does not grok)", weight_decay=0.0),
    seeds=per_scale(ci=3, paper=8),
    seed_name="grokking/transformer",
)
def features_change_before_generalising(run, weight_decay=1.0):
    seen = run_with_ln_before_the_mlp(run, weight_decay)
    if weight_decay > 0:
        run.require(seen["best_test"] >= 0.9, f"the run never generalised (best test accuracy "
                                              f"{seen['best_test']:.3g}, below 0.9)")
    curves = seen["curves"]
    return measures.fall_while_memorised(
        *([value for _, value in curves[name]] for name in
          ("train accuracy", "test accuracy", "effective rank of the pre-logit features")))
