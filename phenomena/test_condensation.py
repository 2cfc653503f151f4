"""Condensation: with small initialisation, hidden neurons' input weights gather on few
orientations."""

import math

import numpy as np
import torch

from harness import claim, control, majority, measures, paper, per_scale, reduction, tasks, train

PHASE_SEED = "condensation/phase-diagram"


def phase_diagram_net(run, gamma: float, width: int, gamma_prime: float = 0.0):
    """Luo et al. 2021's two-layer ReLU net (Sec. 2) at width m with alpha = 1 and output weights
    a ~ N(0, beta1^2), input weights and biases ~ N(0, beta2^2), where beta1 = m^(-(gamma +
    gamma')/2) and beta2 = m^(-(gamma - gamma')/2): then -log(beta1 beta2 / alpha) / log m = gamma
    and -log(beta1 / beta2) / log m = gamma'. Antisymmetric init (f = 0 at the start), float64."""
    return run.role("two-layer", in_dim=1, width=width, activation="relu",
                    w_std=width ** (-(gamma - gamma_prime) / 2),
                    a_std=width ** (-(gamma + gamma_prime) / 2),
                    antisymmetric=True, dtype=torch.float64)


def fit_phase_diagram_points(run, net) -> bool:
    """Luo et al. 2021's 1-D experiment (Sec. 5): the three points of the paper's code, full-batch
    GD with a backtracking step, to a loss below 1e-7. The phase diagram is drawn on fitted
    networks: whether the fit was reached (if not, the seed's measurement is invalid)."""
    x, y = run.to_device(*tasks.phase_diagram_points())
    loss = train.mse(net, x, y)
    train.fit(loss, train.BacktrackingGD(net.parameters(), loss, lr=0.1),
              steps=run.scaled(ci=20_000, paper=200_000), observe=train.loss_below(loss, 1e-7),
              every=10)
    return train.require_fit(run, loss, 1e-7)


def train_phase_diagram_net(run, gamma: float, width: int, gamma_prime: float = 0.0):
    """The phase-diagram net (gamma' = 0 unless given) fitted to the three points; None when the
    fit was not reached."""
    net = phase_diagram_net(run, gamma, width, gamma_prime)
    return net if fit_phase_diagram_points(run, net) else None


def input_weights(net) -> np.ndarray:
    with torch.no_grad():
        return net.neuron_input_weights().cpu().numpy().copy()


@claim(
    id="condensation/small-init",
    statement="In the condensed regime of the phase diagram (small init, gamma > 1), the neurons "
              "that carry the output have their input weights on a few orientations.",
    source=paper("luo2021phase", "abstract (in the condensed regime active neurons condense at "
                                 "a few discrete orientations; Sec. 5, Fig. 5 not verified)"),
    metric="share of amplitude |a_k| ||(w_k, b_k)|| in the 4 most loaded 0.05-rad orientation bins",
    holds_if=(">", 0.8),
    control=control("linear regime (gamma = 0.5, NTK-like scaling)", gamma=0.5),
    seeds=per_scale(ci=4, paper=10),
)
def small_init_condenses(run, gamma=1.75):
    net = train_phase_diagram_net(run, gamma, width=run.scaled(ci=1000, paper=10_000))
    if net is None:
        return math.nan
    with torch.no_grad():
        w, a = net.neuron_input_weights().cpu().numpy(), net.neuron_output_weights().cpu().numpy()
    if run.tracing:
        for angle, share in zip(*measures.orientation_load(w, measures.neuron_amplitudes(w, a)),
                                strict=True):
            run.trace("share of amplitude per orientation bin", angle, share,
                      x_label="orientation of (w_k, b_k), rad")
    return measures.orientation_share(w, measures.neuron_amplitudes(w, a), bins=4)


def rd_width_exponent(run, gamma: float, gamma_prime: float) -> float:
    """The slope of log RD(theta_w) against log m, RD = ||theta_w(T) - theta_w(0)|| /
    ||theta_w(0)|| after fitting the three points, over widths 1e3..1.6e4 (paper scale:
    1e3..4e4; the authors' 1-D scaling script, xuzhiqin1990/phasediagram_twolayerNN, runs 1e3 to
    4e5). Every width draws from the seed's one
    generator, in order; a width that does not fit ends the measurement (invalid)."""
    widths = run.scaled(ci=[1000, 4000, 16_000], paper=[1000, 2000, 5000, 10_000, 20_000, 40_000])
    distances = []
    for width in widths:
        net = phase_diagram_net(run, gamma, width, gamma_prime)
        start = input_weights(net)
        if not fit_phase_diagram_points(run, net):
            return math.nan
        distances.append(measures.relative_distance(input_weights(net), start))
        run.trace("RD(theta_w) against the width", width, distances[-1], x_label="width m")
    return measures.log_log_slope(widths, distances)


@claim(
    id="condensation/phase-condensed",
    statement="In the condensed regime (gamma > 1, gamma' < gamma - 1) the input weights move "
              "further from their initial values, relative to them, the wider the network: "
              "RD(theta_w) grows with the width m.",
    source=paper("luo2021phase", "abstract (RD(theta_w) -> +inf as m -> inf in the condensed "
                 "regime) and Thm 2 (gamma > 1, gamma' < gamma - 1) as the authors restate it "
                 "in dlphenomena/website: src/phenomena/condense/condense.md; the RD-vs-m "
                 "figure is not verified",
                 reported="slope of log RD against log m about 0.37 at gamma = 1.75 (read off "
                          "the figure, as the catalogue gives it; not checked in the paper)"),
    metric="slope of log RD(theta_w) against log m (3 widths at ci, 6 at paper)",
    holds_if=(">", 0.1),
    control=control("linear regime (gamma = 0.5)", gamma=0.5),
    seeds=per_scale(ci=3, paper=8),
    seed_name=PHASE_SEED,
)
def rd_grows_with_width(run, gamma=1.75, gamma_prime=0.0):
    return run.shared(rd_width_exponent, gamma=gamma, gamma_prime=gamma_prime)


@claim(
    id="condensation/phase-linear",
    statement="In the linear regime (gamma < 1) the input weights barely move, the less the wider "
              "the network: RD(theta_w) shrinks with the width m.",
    source=paper("luo2021phase", "abstract (RD(theta_w) -> 0 as m -> inf in the linear "
                 "regime) and Thm 1 (gamma < 1) as the authors restate it in "
                 "dlphenomena/website: src/phenomena/condense/condense.md; the RD-vs-m "
                 "figure is not verified",
                 reported="slope of log RD against log m about -0.5 at gamma = 0.5 (read off "
                          "the figure, as the catalogue gives it; not checked in the paper)"),
    metric="slope of log RD(theta_w) against log m (3 widths at ci, 6 at paper)",
    holds_if=("<", -0.1),
    control=control("condensed regime (gamma = 1.75)", gamma=1.75),
    seeds=per_scale(ci=3, paper=8),
    seed_name=PHASE_SEED,
)
def rd_shrinks_with_width(run, gamma=0.5, gamma_prime=0.0):
    return run.shared(rd_width_exponent, gamma=gamma, gamma_prime=gamma_prime)


@claim(
    id="condensation/phase-gamma-prime",
    statement="The boundary of the linear regime is also crossed by gamma' alone: at gamma = "
              "1.75, output weights much smaller than input weights (gamma' = 1 > gamma - 1) put "
              "the network back in the linear regime, where RD(theta_w) shrinks with m.",
    source=paper("luo2021phase", "Thm 1 as the authors restate it (dlphenomena/website: "
                 "src/phenomena/condense/condense.md): RD(theta_w) -> 0 as m -> inf for "
                 "gamma < 1 or gamma' > gamma - 1; the section is not verified"),
    metric="slope of log RD(theta_w) against log m (3 widths at ci, 6 at paper)",
    holds_if=("<", -0.1),
    control=control("gamma' = 0 (condensed regime)", gamma_prime=0.0),
    seeds=per_scale(ci=3, paper=8),
    seed_name=PHASE_SEED,
)
def gamma_prime_linearises(run, gamma=1.75, gamma_prime=1.0):
    return run.shared(rd_width_exponent, gamma=gamma, gamma_prime=gamma_prime)


MULTIPLICITY = {"tanh": 1, "xtanh": 2}  # order of the activation's zero at the origin


def initial_stage_directions(run, activation: str, init: str) -> int:
    """Zhou et al. 2022's 1-D setting (Sec. 4, input with bias, so (w_k, b_k) is 2-D): 40 points
    on [-1, 1], target sin 3x + 0.5 cos 4x, width 200, float64, full-batch GD. "small": w, b ~
    N(0, 1e-6^2), a ~ N(0, 0.1^2), lr 0.5, stopped once the largest ||(w_k, b_k)|| grew 100-fold
    (the initial stage; with every parameter that small x tanh x does not condense, the a/w ratio
    matters; the seed's measurement is invalid if the growth is not reached within the budget).
    "large": every parameter ~ N(0, 0.3^2), lr 0.05, a fixed step budget (its weights never grow
    100-fold). Returns the number of directions (greedy, cos > 0.95) of the quarter of
    neurons with the largest |a_k| ||(w_k, b_k)||."""
    small = init == "small"
    x = torch.linspace(-1.0, 1.0, 40, dtype=torch.float64)[:, None]
    x, y = run.to_device(x, torch.sin(3 * x) + 0.5 * torch.cos(4 * x))
    net = run.role("two-layer", in_dim=1, width=200, activation=activation,
                   w_std=1e-6 if small else 0.3, a_std=0.1 if small else 0.3, dtype=torch.float64)
    start = net.neuron_input_weights().norm(dim=1).max().item()

    def grown(step: int) -> bool:
        with torch.no_grad():
            return net.neuron_input_weights().norm(dim=1).max().item() > 100 * start

    budget = run.scaled(ci=1000, paper=20_000)
    train.fit(train.mse(net, x, y), torch.optim.SGD(net.parameters(), lr=0.5 if small else 0.05),
              steps=budget, observe=grown)
    if small:
        run.require(grown(budget), f"the input weights did not grow 100-fold within {budget} "
                                   f"steps ({activation})")
    with torch.no_grad():
        w, a = net.neuron_input_weights().cpu().numpy(), net.neuron_output_weights().cpu().numpy()
    amplitudes = measures.neuron_amplitudes(w, a)
    for angle, amplitude in sorted(zip(np.arctan2(w[:, 1], w[:, 0]), amplitudes, strict=True)):
        run.trace(f"|a_k| ||(w_k, b_k)|| by orientation ({activation})", angle, amplitude,
                  x_label="orientation of (w_k, b_k) (rad)")
    top = measures.heaviest(amplitudes, 0.25)
    return len(measures.direction_clusters(w[top], amplitudes[top], min_cos=0.95))


@claim(
    id="condensation/initial-multiplicity",
    statement="With small init, in the initial stage the input weights condense on at most 2p "
              "directions, p the multiplicity of the activation's zero at the origin; for tanh "
              "(p = 1) and x tanh x (p = 2) on 1-D input the bound is reached: two directions "
              "(one line) and four (two lines).",
    source=paper("zhou2022initial", "abstract (the maximal number of condensed orientations "
                 "in the initial stage is twice the multiplicity p; theory for 1-D input and any "
                 "p); the sections (1-D tanh vs x tanh x) are not verified"),
    metric="max over {tanh, x tanh x} of |directions - 2p|, directions counted greedily at "
           "cos > 0.95 over the top-quartile neurons by |a_k| ||(w_k, b_k)||",
    holds_if=("<", 0.5),
    control=control("large init (all parameters N(0, 0.3^2), 1000 GD steps)", init="large"),
    seeds=per_scale(ci=3, paper=10),
)
def directions_match_multiplicity(run, init="small"):
    return max(abs(initial_stage_directions(run, activation, init) - 2 * p)
               for activation, p in MULTIPLICITY.items())


def kernel_alignment_after_training(run, init: str) -> float:
    """A two-layer CNN on 300 of scikit-learn's 8x8 digits (one-hot targets, half MSE): 16 tanh
    3x3 kernels with bias, sum-pooling, a linear readout; full-batch GD (Zhou et al. 2025's
    two-layer setting, Sec. 5, on small real images instead of CIFAR-10).

    "small": kernels and readout ~ N(0, 1e-4^2), lr 0.05, stopped at the end of the initial
    stage's burst of growth: the first step, once the largest filter (kernel weights, bias
    aside: a model blind to its input grows only biases) has grown 10-fold, at which it grew by
    less than 5% over the last 10 steps (the seed's measurement is invalid if that does not come
    within the budget). Piloted: the burst ends at steps 60-80 between 40- and 100-fold growth,
    alignment 0.93-0.998 there; on a plateau after it the kernels spread again (mean |cos|
    ~0.6 by step ~1,500), so a fixed 100-fold mark (Zhou et al. 2022) times a later stage for
    some seeds and the burst itself for others.

    "default": LeCun-style N(0, 1/fan_in) kernels and N(0, 1/channels) readout, lr 1e-3 (the
    sum-pooled outputs start large: 0.005 and more diverge), 300 steps. Returns the kernels'
    mean pairwise |cos| (bias included)."""
    small = init == "small"
    images, labels = run.to_device(*tasks.digit_images(300, run.generator))
    net = run.role("cnn", in_channels=1, channels=16, kernel_size=3, image_size=8, out_dim=10,
                   activation="tanh", w_std=1e-4 if small else 1 / 3,
                   a_std=1e-4 if small else 1 / 4, dtype=torch.float64)
    sizes: list[float] = []

    def burst_over(step: int) -> bool:
        with torch.no_grad():
            sizes.append(net.kernels()[:, :-1].norm(dim=1).max().item())
            if run.tracing:
                run.trace("kernels' mean pairwise |cos|", step,
                          measures.mean_abs_cosine(net.kernels().cpu().numpy()))
        return (small and len(sizes) > 10 and sizes[-1] > 10 * sizes[0]
                and sizes[-1] < 1.05 * sizes[-11])

    budget = run.scaled(ci=300, paper=3000)
    steps = train.fit(train.mse(net, images, labels),
                      torch.optim.SGD(net.parameters(), lr=0.05 if small else 1e-3),
                      steps=budget, observe=burst_over)
    if small:
        run.require(steps < budget, f"the initial stage's growth did not end within {budget} "
                                    f"steps")
    with torch.no_grad():
        return measures.mean_abs_cosine(net.kernels().cpu().numpy())


@claim(
    id="condensation/cnn-kernels",
    statement="With small init, the kernels of a two-layer CNN condense on one direction within "
              "a finite training time: by the end of the initial stage's burst of growth they "
              "are nearly parallel.",
    source=paper("zhou2025cnn", "abstract (theorem: under GD from small init the kernels of a "
                 "two-layer CNN condense toward one direction, set by the training samples, "
                 "within a given time; then experiments); the sections are not verified"),
    metric="mean pairwise |cos| of the 16 kernels (with bias) at the end of the burst of "
           "growth (largest filter grown 10-fold, then < 5% in 10 steps; observed within the "
           "budget)",
    holds_if=(">", 0.9),
    control=control("default (LeCun) init, 300 GD steps", init="default"),
    seeds=per_scale(ci=3, paper=10),
)
def cnn_kernels_condense(run, init="small"):
    return kernel_alignment_after_training(run, init)


FITTED_SHARE = 0.05  # of the target's half mean square: what "fitted" means for the reduction


def fit_to_reduce(run, net, x: torch.Tensor, y: torch.Tensor, steps: int, stop_loss: float,
                  fitted_share: float) -> bool:
    """Full-batch GD with a backtracking step on the MSE, for `steps` steps or until the loss is
    below `stop_loss`; whether it ends below `fitted_share` of the target's half mean square
    (else the seed is invalid: a reduction is measured on a fitted network)."""
    loss = train.mse(net, x, y)
    train.fit(loss, train.BacktrackingGD(net.parameters(), loss, lr=0.1), steps=steps,
              observe=train.loss_below(loss, stop_loss), every=10)
    return train.require_fit(run, loss, fitted_share * float(0.5 * y.pow(2).mean()))


def reduced_width_fraction(run, init: str, width: int = 100) -> float:
    """A two-layer ReLU net of width 100 fitted to 40 random points on [-1, 1] of a target that 4
    ReLU neurons express (full-batch GD with a backtracking step, to a loss below 1e-5 or the step
    budget), then reduced by merging condensed neurons (Chen & Xu 2024's condensation reduction,
    without their retraining). "small": every parameter ~ N(0, m^-4); "large": w, b ~ N(0, 1),
    a ~ N(0, 1/m). Returns the reduced width over the original: the narrowest merge, at cos
    thresholds 0.9999..0.9, whose MSE on 401 test points stays within 10% of the unmerged net's."""
    x = 2 * torch.rand(40, 1, generator=run.generator, dtype=torch.float64) - 1
    grid = torch.linspace(-1.0, 1.0, 401, dtype=torch.float64)[:, None]
    target = tasks.relu_teacher(torch.cat([x, grid]), n_neurons=4, generator=run.generator)
    (x, y) = run.to_device(x, target[:40])
    small = init == "small"
    net = run.role("two-layer", in_dim=1, width=width, activation="relu",
                   w_std=width ** -2.0 if small else 1.0,
                   a_std=width ** -2.0 if small else width ** -0.5, dtype=torch.float64)
    if not fit_to_reduce(run, net, x, y, run.scaled(ci=3000, paper=30_000), 1e-5, FITTED_SHARE):
        return math.nan
    with torch.no_grad():
        w, a = net.neuron_input_weights().cpu().numpy(), net.neuron_output_weights().cpu().numpy()
    run.trace_array("neuron amplitudes |a_k| ||(w_k, b_k)||, largest first",
                    -np.sort(-measures.neuron_amplitudes(w, a)))
    kept, _ = reduction.reduce_keeping_error(w, a, grid.numpy(), target[40:].numpy(),
                                             tolerance=0.1)
    return len(kept) / width


@claim(
    id="condensation/reduction",
    statement="A network trained from small init is condensed enough that merging neurons with "
              "aligned input weights (summing their output weights) shrinks it to a fraction of "
              "its width while its test error stays put.",
    source=paper("chen2024reduction", "abstract (the condensation reduction on a fully "
                 "connected net for combustion; the section is not verified)",
                 reported="combustion net reduced to 41.7% of its size, prediction accuracy "
                          "kept (abstract; size, not width)"),
    metric="reduced width / width, the narrowest merge (cos > 0.9999..0.9) with test MSE within "
           "10% of the unmerged net's",
    holds_if=("<", 0.4),
    control=control("large init (w, b ~ N(0, 1), a ~ N(0, 1/m))", init="large"),
    seeds=per_scale(ci=3, paper=10),
)
def condensed_net_reduces(run, init="small"):
    return reduced_width_fraction(run, init)


CNN_FITTED_SHARE = 0.1  # of the target's half mean square: what "fitted" means for the CNN


def cnn_teacher_images(run, n: int, kernels: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """n Gaussian 8x8 images and the outputs of a teacher two-layer ReLU CNN on them: `kernels`
    3x3 kernels and biases ~ N(0, 1/9), sum-pooling, readout weights +-1 at random; targets
    scaled to unit root mean square. Drawn with plain tensors, not the `cnn` role, so the
    target stays the same whatever model the session builds."""
    images = torch.randn(n, 1, 8, 8, generator=run.generator, dtype=torch.float64)
    weight = torch.randn(kernels, 1, 3, 3, generator=run.generator, dtype=torch.float64) / 3
    bias = torch.randn(kernels, generator=run.generator, dtype=torch.float64) / 3
    signs = torch.where(torch.rand(kernels, generator=run.generator) < 0.5, -1.0, 1.0)
    pooled = torch.relu(torch.nn.functional.conv2d(images, weight, bias)).sum(dim=(2, 3))
    target = pooled @ signs.to(pooled.dtype)[:, None]
    return images, target / target.pow(2).mean().sqrt()


def reduced_kernel_fraction(run, init: str, channels: int = 32) -> float:
    """A two-layer ReLU CNN (32 3x3 kernels with bias, sum-pooling, one readout weight per
    kernel) fitted to 100 images of `cnn_teacher_images` (full-batch GD with a backtracking step,
    500 steps or a loss below 1e-3; the seed is invalid unless the loss ends below 10% of the
    target's half mean square), then reduced by merging kernels whose (kernel, bias) vectors are
    aligned (Chen & Xu 2024's condensation reduction on a CNN, without their retraining).
    "small": every parameter ~ N(0, 1e-6^2); "large": kernels and biases ~ N(0, 1/9) (LeCun),
    readout ~ N(0, 1/32^2) (with the 1/sqrt(32) readout of the other CNN claim the fit is not
    reached within the budget). Returns the kept kernels over the original: the narrowest
    merge, at cos thresholds 0.9999..0.9, whose MSE on 300 test images stays within 10% of the
    unmerged CNN's. Piloted: small 3-4 of 32 kernels kept, large all 32 at every threshold."""
    images, target = cnn_teacher_images(run, 400)
    x, y = run.to_device(images[:100], target[:100])
    small = init == "small"
    net = run.role("cnn", in_channels=1, channels=channels, kernel_size=3, image_size=8,
                   out_dim=1, activation="relu", w_std=1e-6 if small else 1 / 3,
                   a_std=1e-6 if small else 1 / channels, dtype=torch.float64)
    if not fit_to_reduce(run, net, x, y, run.scaled(ci=500, paper=5000), 1e-3,
                         CNN_FITTED_SHARE):
        return math.nan
    with torch.no_grad():
        w, a = net.kernels().cpu().numpy(), net.kernel_output_weights().cpu().numpy()
    patches, test_target = reduction.image_patches(images[100:], 3), target[100:].numpy()
    if run.tracing:
        for level in reduction.MERGE_LEVELS:
            run.trace("kept share of the kernels per merge threshold", level,
                      len(reduction.merge_condensed_neurons(w, a, min_cos=level)[0]) / channels,
                      x_label="cos threshold of the merge")
    kept, _ = reduction.reduce_keeping_error(w, a, patches, test_target, tolerance=0.1)
    return len(kept) / channels


@claim(
    id="condensation/cnn-reduction",
    statement="The condensation reduction applies to convolutional networks too: a CNN trained "
              "from small init is condensed enough that merging kernels with aligned (kernel, "
              "bias) vectors (summing their readout weights, scaled by the norm ratio) keeps a "
              "small fraction of its kernels while its test error stays put.",
    source=paper("chen2024reduction", "abstract (the method on convolutional networks: a "
                 "CIFAR-10 classifier; MobileNetV2 and the retraining are not in the abstract, "
                 "and the sections are not verified)",
                 reported="CIFAR-10 network reduced to 11.5% of its size with a satisfactory "
                          "validation accuracy (abstract)"),
    metric="kept kernels / kernels of a miniature (a two-layer ReLU CNN on a 3-kernel teacher "
           "task, no retraining, not MobileNetV2 on CIFAR-10), the narrowest merge (cos > "
           "0.9999..0.9) with test MSE within 10% of the unmerged CNN's",
    holds_if=("<", 0.3),
    control=control("large init (kernels ~ N(0, 1/9), readout ~ N(0, 1/32^2))", init="large"),
    seeds=per_scale(ci=3, paper=10),
    # Measured over base seeds 0 / 1 / 2: 0.125 0.219 0.156 | invalid 0.188 0.219 | 0.125 0.188
    # 0.125; control 1 1 1 | invalid 1 1 | 1 1 1. Some teachers hold the GD on a plateau above
    # the fit (base seed 1, seed 1: loss 0.082 against 0.055 on both sides, still 0.075 after
    # 1,000 steps), which makes that seed invalid, so the rule is the majority of seeds.
    verdict=majority,
)
def condensed_cnn_reduces(run, init="small"):
    return reduced_kernel_fraction(run, init)
