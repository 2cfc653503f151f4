"""The frequency principle: networks fit the low frequencies of a target before the high ones, in
one dimension and on real high-dimensional data; its traces in grokking (low-degree parts fit the
training set first) and in switching a PDE solver from data loss to residual loss."""

import copy
import math

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train
from harness.tasks.derivative_orders import flat_weighted_loss, order_residual_loss

PEAKS = (1, 3, 5)


def note_first_below(reached: dict, step: int, errors: dict, level: float) -> bool:
    """Record in `reached` the first step at which each error fell below `level`; True once all
    have."""
    for key, error in errors.items():
        if key not in reached and error < level:
            reached[key] = step
    return len(reached) == len(errors)


def steps_to_fit_peaks(run, fourier_scale: float | None, level: float = 0.2) -> dict[int, float]:
    """Xu et al. 2019, Fig. 1, shrunk: f = sin x + sin 3x + sin 5x on a 200-point periodic grid,
    a tanh 1-100-1 network with N(0, 0.1^2) weights, full-batch Adam lr 3e-3 (1e-3 takes the
    highest peak ~6,000 steps, this ~2,700-4,800), trained until every peak is fitted, as in the
    figure. Returns, per peak k, the first step (checked every 10) at which Delta_F(k) < level;
    a peak not fitted within the budget makes the seed's measurement invalid."""
    x = tasks.periodic_grid(200)
    y = tasks.sum_of_sines(x, PEAKS)
    inputs = x if fourier_scale is None else tasks.random_fourier_features(
        x, n_features=50, scale=fourier_scale, generator=run.generator)
    inputs, y = run.to_device(inputs, y)
    net = run.role("two-layer", in_dim=inputs.shape[1], width=run.scaled(ci=100, paper=1000),
                   activation="tanh", w_std=0.1, a_std=0.1)
    budget = run.scaled(ci=8_000, paper=20_000)
    fitted: dict[int, float] = {}

    def record(step: int) -> bool:
        with torch.no_grad():
            output = net(inputs).cpu().numpy()[:, 0]
        errors = measures.relative_spectral_error(output, y.cpu().numpy()[:, 0], PEAKS)
        for k, error in zip(PEAKS, errors, strict=True):
            run.trace(f"Delta_F at frequency {k}", step, error, level=level)
        return note_first_below(fitted, step, dict(zip(PEAKS, errors, strict=True)), level)

    train.fit(train.mse(net, inputs, y), torch.optim.Adam(net.parameters(), lr=3e-3),
              steps=budget, observe=record, every=10)
    missing = [k for k in PEAKS if k not in fitted]
    run.require(not missing, f"peaks {missing} not fitted (Delta_F < {level:g}) within "
                             f"{budget} steps")
    return {k: fitted.get(k, math.nan) for k in PEAKS}


@claim(
    id="frequency/low-first",
    statement="A network fits the lowest frequency of a 1-D target long before the highest: "
              "trained until every peak is fitted, Delta_F of the lowest peak falls below 0.2 "
              "many times sooner than that of the highest.",
    source=paper("xu2019frequency", "Fig. 1 (sin x + sin 3x + sin 5x, tanh network)",
                 paper("rahaman2019spectral", "spectral bias: low frequencies are learnt "
                                              "first (Sec. 3)"),
                 reported="Delta_F converges at the peak of sin x first, then sin 3x, then "
                          "sin 5x"),
    metric="steps until Delta_F(5) < 0.2 over steps until Delta_F(1) < 0.2, both observed "
           "within the budget (checked every 10 steps)",
    holds_if=(">", 10.0),
    control=control("random Fourier features of scale 10 in front of the network",
                    fourier_scale=10.0),
    seeds=per_scale(ci=3, paper=8),
)
def low_frequencies_first(run, fourier_scale=None):
    steps = steps_to_fit_peaks(run, fourier_scale)
    return steps[max(PEAKS)] / max(steps[min(PEAKS)], 1)


DIGITS_FILTER_VARIANCE = 1.0


def steps_to_fit_residual_parts(run, fourier_scale: float | None,
                                level: float = 0.5) -> dict[str, float]:
    """Xu et al. 2019's filtering method (high-dimensional section), on scikit-learn's 1,797 8x8
    digits in place of MNIST: pixels in [0, 1], one-hot targets, a tanh 64-100-10 network with
    N(0, 1/fan_in) weights, full-batch Adam lr 2e-3 on half MSE. Every 10 steps the residual is
    split by a Gaussian filter of variance 1 over the inputs (squared distances between digits:
    median 9.4, nearest neighbours 1-2) into a low- and a high-frequency part. Returns the first
    step at which e_low and e_high fall below `level`; a part that does not get there within
    the budget makes the seed's measurement invalid."""
    x, y = tasks.digits_one_hot()
    smoother = torch.as_tensor(measures.gaussian_smoother(x.numpy(), DIGITS_FILTER_VARIANCE),
                               dtype=x.dtype)
    inputs = x if fourier_scale is None else tasks.random_fourier_features(
        x, n_features=100, scale=fourier_scale, generator=run.generator)
    inputs, targets, smoother = run.to_device(inputs, y, smoother)
    width = run.scaled(ci=100, paper=1000)
    net = run.role("two-layer", in_dim=inputs.shape[1], width=width, out_dim=10,
                   activation="tanh", w_std=inputs.shape[1] ** -0.5, a_std=width ** -0.5)
    budget = run.scaled(ci=2_000, paper=20_000)
    reached: dict[str, float] = {}

    def record(step: int) -> bool:
        with torch.no_grad():
            e_low, e_high = measures.low_high_errors(net(inputs), targets, smoother)
        run.trace("e_low", step, e_low, level=level)
        run.trace("e_high", step, e_high, level=level)
        return note_first_below(reached, step, {"low": e_low, "high": e_high}, level)

    train.fit(train.mse(net, inputs, targets), torch.optim.Adam(net.parameters(), lr=2e-3),
              steps=budget, observe=record, every=10)
    missing = [part for part in ("low", "high") if part not in reached]
    run.require(not missing, f"e_{' and e_'.join(missing)} not below {level:g} within "
                             f"{budget} steps")
    return {part: reached.get(part, math.nan) for part in ("low", "high")}


@claim(
    id="frequency/low-first-highdim",
    statement="On real high-dimensional data the low-frequency part of the residual (Gaussian "
              "filter over the inputs) converges long before the high-frequency part: e_low "
              "falls below 0.5 many times sooner than e_high.",
    source=paper("xu2019frequency", "high-dimensional section, filtering method (e_low and "
                 "e_high on MNIST/CIFAR10); digits stand in for MNIST"),
    metric="steps until e_high < 0.5 over steps until e_low < 0.5 (filter variance 1), both "
           "observed within the budget",
    holds_if=(">", 10.0),
    control=control("random Fourier features of scale 3 in front of the network",
                    fourier_scale=3.0),
    seeds=per_scale(ci=3, paper=8),
)
def low_frequencies_first_on_digits(run, fourier_scale=None):
    steps = steps_to_fit_residual_parts(run, fourier_scale)
    return steps["high"] / max(steps["low"], 1)


PARITY_DIM, PARITY_SUPPORT = 30, (0, 1, 2)


def parity_fit_and_generalise(run, n_train: int) -> dict[str, float]:
    """The parity experiment of Zhou, Zhang, Xu 2024 in the catalogue's sparse form: y = x1 x2 x3
    on {-1, +1}^30, n_train training and 2,000 test points drawn uniformly; a ReLU 30-256-1
    network (512 at paper scale; normal weights with PyTorch's default variances), logistic loss,
    full-batch AdamW lr 2e-3, weight decay 1. Every 25 steps: train and test accuracy; at the
    first step with train accuracy >= 0.99, the Walsh shares of the test output on the 30
    degree-1 characters and on the target x1 x2 x3. Stops at test accuracy >= 0.95."""
    x, x_test = (tasks.hypercube_points(n, PARITY_DIM, run.generator) for n in (n_train, 2_000))
    y, y_test = tasks.sparse_parity(x, PARITY_SUPPORT), tasks.sparse_parity(x_test, PARITY_SUPPORT)
    points = x_test.numpy()
    x, y, x_test, y_test = run.to_device(x, y, x_test, y_test)
    width = run.scaled(ci=256, paper=512)
    net = run.role("two-layer", in_dim=PARITY_DIM, width=width, activation="relu",
                   w_std=(3 * PARITY_DIM) ** -0.5, a_std=(3 * width) ** -0.5)
    crossings = measures.FirstCrossings(fit=0.99, generalise=0.95)
    shares: dict[str, float] = {"degree_one": math.nan, "target": math.nan}

    def record(step: int) -> bool:
        with torch.no_grad():
            scores, test_scores = net(x)[:, 0], net(x_test)[:, 0]
        fit, generalise = measures.accuracy(scores, y[:, 0]), measures.accuracy(test_scores,
                                                                               y_test[:, 0])
        run.trace("train accuracy", step, fit, level=0.99)
        run.trace("test accuracy", step, generalise, level=0.95)
        done = crossings.record(step, fit=fit, generalise=generalise)
        if crossings.steps.get("fit") == step:
            output = test_scores.cpu().numpy()
            shares["degree_one"] = measures.walsh_share(
                output, points, [(i,) for i in range(PARITY_DIM)])
            shares["target"] = measures.walsh_share(output, points, [PARITY_SUPPORT])
        return done

    train.fit(train.logistic(net, x, y),
              torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1.0),
              steps=run.scaled(ci=2_000, paper=6_000), observe=record, every=25)
    return {"fit": crossings.step("fit"), "generalise": crossings.step("generalise"), **shares}


GROKKING_SEEDS = "frequency/grokking-aliasing"


@claim(
    id="frequency/grokking-aliasing",
    statement="With few training points a network fits the training set long before it "
              "generalises: test accuracy reaches 95% several times later than training "
              "accuracy reaches 99%.",
    source=paper("zhou2024grokking", "parity experiment; the catalogue's sparse-parity form"),
    metric="steps to test accuracy >= 0.95 over steps to train accuracy >= 0.99, both observed "
           "within 2,000 full-batch steps",
    holds_if=(">", 4.0),
    control=control("dense sampling (6,000 training points)", n_train=6_000),
    seeds=per_scale(ci=3, paper=8),
    seed_name=GROKKING_SEEDS,
)
def fits_before_generalising(run, n_train=1_500):
    steps = run.shared(parity_fit_and_generalise, n_train=n_train)
    return measures.grokking_delay(run, steps["fit"], steps["generalise"], must_generalise=True)


@claim(
    id="frequency/grokking-low-degree",
    statement="When a network has just fitted a sparse parity from few points, its output lies "
              "on low-degree (aliased) Walsh components more than on the target's degree-3 "
              "character.",
    source=paper("zhou2024grokking", "parity experiment (frequency of the output at the fit); "
                 "the catalogue's sparse-parity form"),
    metric="degree-1 share / (degree-1 share + share on x1 x2 x3) of the test output's Walsh "
           "spectrum, at the first step with train accuracy >= 0.99",
    holds_if=(">", 0.5),
    control=control("dense sampling (6,000 training points)", n_train=6_000),
    seeds=per_scale(ci=3, paper=8),
    seed_name=GROKKING_SEEDS,
)
def low_degree_at_fit(run, n_train=1_500):
    shares = run.shared(parity_fit_and_generalise, n_train=n_train)
    run.require(math.isfinite(shares["fit"]), "the training set was never fitted within the "
                                              "budget")
    return shares["degree_one"] / (shares["degree_one"] + shares["target"])


POISSON = tasks.Poisson1D(frequencies=(1, 4), amplitudes=(1.0, 0.2))


def poisson_net_fitted_to_data(run) -> tuple[torch.nn.Module, torch.optim.Adam]:
    """The network before Wang et al. 2024's loss switch, on the catalogue's 1-D Poisson problem
    u'' = f on [-1, 1] with u* = sin(pi x) + 0.2 sin(4 pi x) (the paper's sin x + sin 10x on
    [0, 2 pi] is not fitted by a two-layer network within the budget): a tanh 1-200-1 network
    (input weights N(0, 4^2)), float64, 3,000 steps of Adam lr 1e-3 on the data loss at 100 grid
    points. Returns the network and its optimiser; every switch trains a deep copy of the pair
    (`errors_after_switch`), so one pre-switch run serves every loss switched to.

    The paper scale keeps the 3,000 steps (it adds seeds): trained longer, Adam at lr 1e-3 on
    the data loss spikes by itself once the error is ~1e-3, so a no-switch control jumps too.
    Measured 2026-12-03 on six seeds: the worst rise of the error within 60 steps is 1.0-1.1 in
    steps 0-2,000 in five of them (6.7 in the sixth, 18.7 by step 4,000), 12.6-26.3 by steps
    4,000-6,000 in four, and 25-43 in steps 18,000-20,000 in all six; after 20,000 steps the
    switch's jump (113-211) still exceeds that, but the threshold of 10 no longer separates
    switching from going on."""
    (x,) = run.to_device(POISSON.grid(100))
    net = run.role("two-layer", in_dim=1, width=200, activation="tanh", w_std=4.0,
                   a_std=200 ** -0.5, dtype=torch.float64)
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
    train.fit(tasks.data_loss(net, POISSON, x), optimiser, steps=3_000)
    return net, optimiser


def errors_after_switch(run, new_loss, trace: str,
                        steps: int = 60) -> tuple[list[torch.Tensor], list[float]]:
    """The error u - u* on the grid, and its relative L2 size ||u - u*|| / ||u*|| (traced as
    `trace`), before each of `steps` steps on `new_loss(net, x)` taken from a copy of the
    pre-switch network and its Adam, as the paper switches: the same optimiser goes on."""
    net, optimiser = copy.deepcopy(run.shared(poisson_net_fitted_to_data))
    (x,) = run.to_device(POISSON.grid(100))
    exact = POISSON.solution(x).cpu()[:, 0]
    errors, sizes = [], []

    def record(step: int) -> bool:
        with torch.no_grad():
            errors.append(net(x).cpu()[:, 0] - exact)
        sizes.append(float(errors[-1].norm() / exact.norm()))
        run.trace(trace, step, sizes[-1])
        return False

    train.fit(new_loss(net, x), optimiser, steps=steps, observe=record)
    return errors, sizes


def loss_switch(run, switch: bool) -> dict[str, float]:
    """Wang et al. 2024's loss switch: after the data-loss phase (`poisson_net_fitted_to_data`),
    60 steps, with the same optimiser, on the residual loss (switch) or on the data loss (no
    switch). Returns the relative L2 error to u* at the switch and its peak in the window, and
    the share of the error at that peak on frequencies below the target's high one."""
    after = tasks.residual_loss if switch else tasks.data_loss
    errors, sizes = errors_after_switch(run, lambda net, x: after(net, POISSON, x),
                                        trace="relative L2 error after the switch")
    peak = sizes.index(max(sizes))
    return {"at_switch": sizes[0], "peak": sizes[peak],
            "peak_low_share": measures.low_frequency_share(errors[peak].numpy(),
                                                          below=max(POISSON.frequencies))}


LOSS_SWITCH_SEEDS = "frequency/loss-jump"


@claim(
    id="frequency/loss-jump",
    statement="Switching from the data loss to the PDE-residual loss moves the solution far from "
              "the exact one at once: within a few steps the error grows many-fold.",
    source=paper("wang2024lossjump", "loss-jump experiments (1-D Poisson, data loss then model "
                 "loss with second derivatives); abstract (not verified against the PDF)"),
    metric="peak relative L2 error in the 60 steps after the switch over the error at the switch",
    holds_if=(">", 10.0),
    control=control("no switch (60 more steps on the data loss)", switch=False),
    seeds=per_scale(ci=3, paper=8),
    seed_name=LOSS_SWITCH_SEEDS,
)
def error_jumps_at_switch(run, switch=True):
    errors = run.shared(loss_switch, switch=switch)
    return errors["peak"] / errors["at_switch"]


@claim(
    id="frequency/loss-jump-low-frequency",
    statement="The error the switch brings in is low-frequency, which the residual loss "
              "constrains weakly: at its peak most of the error lies below the target's high "
              "frequency, while the error the data loss leaves lies above it.",
    source=paper("wang2024lossjump", "frequency analysis of the loss jump (model loss constrains "
                 "low frequencies weakly); abstract (not verified against the PDF)"),
    metric="share of the error's energy at frequencies below 4 cycles on [-1, 1), at the peak "
           "relative L2 error in the 60 steps after the switch",
    holds_if=(">", 0.5),
    control=control("no switch (60 more steps on the data loss)", switch=False),
    seeds=per_scale(ci=3, paper=8),
    seed_name=LOSS_SWITCH_SEEDS,
)
def jump_is_low_frequency(run, switch=True):
    return run.shared(loss_switch, switch=switch)["peak_low_share"]


def jump_after_switch(run, order: int, weighting: str = "derivative") -> float:
    """Peak relative L2 error in the 60 steps after switching the pre-switch network
    (`poisson_net_fitted_to_data`, shared with the loss-jump claims) to the order-`order` model
    loss, over the error at the switch; with weighting="flat", to that loss with its frequency
    weighting removed and its gradient's size kept (`flat_weighted_loss`). The same Adam goes
    on, as in the loss-jump claim: a fresh Adam at the switch jumps 7-53x by itself even when
    the loss does not change (pilot, seeds 0-3, order 0), which would drown the orders."""
    def new_loss(net, x):
        if weighting == "flat":
            return flat_weighted_loss(net, POISSON, x, like_order=order)
        return order_residual_loss(net, POISSON, x, order)

    name = f"order {order}" + (", frequency weighting removed" if weighting == "flat" else "")
    _, sizes = errors_after_switch(run, new_loss,
                                   trace=f"relative L2 error after switching to the {name} loss")
    return max(sizes) / sizes[0]


@claim(
    id="frequency/loss-jump-order",
    statement="The loss jump on switching from the data loss to a model loss with derivative "
              "information comes from the frequency preference of the derivative order: a "
              "derivative multiplies mode k by a power of k, so switching to the second-order "
              "residual jumps higher than switching to the first-order one.",
    source=paper("wang2024lossjump", "abstract (model losses with different orders of "
                 "derivative information; frequency preference); the notes' miniature "
                 "(seed-documented-results Sec. 4); not verified against the PDF"),
    metric="ln(jump after the switch to the order-2 loss / jump after the switch to the order-1 "
           "loss), jump = peak relative L2 error in the 60 steps after the switch over the "
           "error at the switch (both losses with the boundary term)",
    holds_if=(">", 0.5),
    control=control("the order-2 loss with its frequency weighting removed (the data misfit, "
                    "scaled at the switch to the order-2 misfit's gradient norm, plus the "
                    "boundary term): if the weighting causes the jump, the arm no longer jumps "
                    "more than order 1", weighting="flat"),
    seeds=per_scale(ci=3, paper=8),
    seed_name=LOSS_SWITCH_SEEDS,
    xfail="measured at base seeds 0/1/2 (9 seeds): ln ratio 0.91-2.44 for the order-2 loss, "
          "but 1.48-2.92 for the control: the data misfit with no frequency weighting, at the "
          "order-2 gradient's size, jumps more than order 2 (pilot: 16-119x vs 18-63x; the "
          "data misfit at order 1's size jumps 17-175x vs order 1's 3-28x). With the paper's "
          "going-on Adam, whose moments the data-loss phase left small, the jump follows the "
          "new gradient's size, not the frequency weighting; with steps of fixed size "
          "(normalised GD, step 1e-3; 14 pilot seeds) order 2 still jumps more than order 1 "
          "(ln ratio 0.68-2.51) but order 0 in its place gives 0.12-0.74 (the boundary term "
          "at x = 1, unseen by the data loss, jumps by itself), so no threshold separates "
          "them at every seed",
)
def jump_grows_with_derivative_order(run, weighting="derivative"):
    higher = run.shared(jump_after_switch, order=2, weighting=weighting)
    return math.log(higher / run.shared(jump_after_switch, order=1))


def digits_fit_and_generalise(run, alpha: float) -> dict[str, float]:
    """Zhou, Zhang, Xu 2024's MNIST experiment (Liu et al. 2022's setting without weight decay),
    on scikit-learn's 8x8 digits: 1,000 digits to train on and the other 797 to test, drawn by
    the seed; a ReLU 64-200-200-200-10 network whose N(0, 1/(3 fan_in)) weights (the spread of
    PyTorch's default init, which Liu et al. scale) are multiplied by alpha, zero biases; Adam lr
    1e-3 on half the mean squared error to one-hot targets (Liu et al.'s loss), minibatches of
    200 drawn with replacement, no weight decay. Every 25 steps: train and test accuracy. Returns
    the first steps with train accuracy >= 0.99 and test accuracy >= 0.9 (inf when not seen);
    stops at the latter. The CI budget, 250 steps (50 epochs, ~6 ms a step here), is what the
    suite can spend on a claim that does not reproduce on a CPU (see its xfail); the paper's
    runs last ~100,000 epochs."""
    x, y = tasks.digits_one_hot()
    order = torch.randperm(len(x), generator=run.generator)
    labels = y.argmax(dim=1)
    train_rows, test_rows = order[:1_000], order[1_000:]
    x, y, labels = run.to_device(x, y, labels)
    net = run.role("mlp", in_dim=64, out_dim=10, width=200, depth=3, gain=alpha / 3 ** 0.5)
    crossings = measures.FirstCrossings(fit=0.99, generalise=0.9)

    def minibatch_mse() -> torch.Tensor:
        rows = train_rows[torch.randint(len(train_rows), (200,), generator=run.generator)]
        rows = rows.to(x.device)
        return 0.5 * (net(x[rows]) - y[rows]).pow(2).mean()

    def record(step: int) -> bool:
        with torch.no_grad():
            outputs = net(x)
        fit = measures.accuracy(outputs[train_rows.to(x.device)], labels[train_rows.to(x.device)])
        generalise = measures.accuracy(outputs[test_rows.to(x.device)],
                                       labels[test_rows.to(x.device)])
        run.trace("train accuracy", step, fit, level=0.99)
        run.trace("test accuracy", step, generalise, level=0.9)
        return crossings.record(step, fit=fit, generalise=generalise)

    train.fit(minibatch_mse, torch.optim.Adam(net.parameters(), lr=1e-3),
              steps=run.scaled(ci=250, paper=100_000), observe=record, every=25)
    return {"fit": crossings.step("fit"), "generalise": crossings.step("generalise")}


@claim(
    id="frequency/grokking-digits",
    statement="Grokking without weight decay on real data: a network initialised large (weights "
              "x 8) fits its 1,000 training digits long before it generalises, test accuracy "
              "reaching 90% several times later than training accuracy reaches 99%, while at "
              "the default initialisation both rise together.",
    source=paper("zhou2024grokking", "MNIST experiment (Figs. 6-8; Liu et al. 2022's setting "
                 "without weight decay, init x 8); scikit-learn's digits stand in for MNIST",
                 reported="at alpha = 8 train accuracy rises while test accuracy barely moves "
                          "until the true frequencies are fitted (snapshots at epochs 0, 2,668, "
                          "99,383); at alpha = 1 both rise together"),
    metric="steps to test accuracy >= 0.9 over steps to train accuracy >= 0.99, both observed "
           "within the budget (checked every 25 steps)",
    holds_if=(">", 3.0),
    control=control("default initialisation (alpha = 1), the same optimiser", alpha=1.0),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured (pilot, 3 seeds): at alpha = 8 the network does not fit its training digits "
          "within the CPU budget: after 3,000 steps (15 epochs; the paper's fit is at ~2,700 "
          "epochs) train accuracy 0.43-0.58, test 0.15-0.16, so the delay is never observed "
          "(invalid seeds); at alpha = 1 train >= 0.99 at steps 100-130 and test >= 0.9 at "
          "30-40. Shrunk settings do not grok within a few thousand steps either: alpha = 4, "
          "500 digits, 64-100-100-100-10, full batch: fit at step 680, test 0.78 at 2,000 "
          "(slowly rising); alpha = 5, 300 digits, width 64: train 0.99 and test 0.49 at "
          "3,000; cross-entropy at alpha = 8 fits at 60-100 with test already 0.89-0.92",
)
def grokking_on_digits(run, alpha=8.0):
    steps = run.shared(digits_fit_and_generalise, alpha=alpha)
    return measures.grokking_delay(run, steps["fit"], steps["generalise"], must_generalise=True)
