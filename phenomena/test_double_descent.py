"""Double descent: the test error of minimum-norm least squares peaks where the model just
interpolates the training set (as many parameters as samples) and falls again beyond it; the peak
is a variance effect that label noise feeds and tuned ridge regularisation removes."""

import numpy as np
import torch

from harness import claim, control, measures, paper, per_scale, tasks

N_TRAIN, DIM, NOISE = 100, 20, 0.5
TRACED_WIDTHS = (10, 25, 50, 70, 85, 95, 100, 105, 115, 130, 160, 200, 300, 400)  # the figure's


def random_features_setting(run, width: int, test_points: int):
    """Belkin et al. 2019's random-features regression (Fig. 2, ReLU features instead of random
    Fourier ones) in float64: n = 100 inputs x ~ N(0, I_20), target <beta, x> + 0.5 tanh(x_1 x_2)
    for a random unit beta, `test_points` noiseless test points. The model is a two-layer ReLU
    net of `width` neurons frozen at init, w_k and b_k ~ N(0, 1 / d), whose readout alone is
    solved in closed form: its features are the derivatives of the net's output with respect to
    its output weights, relu(<w_k, x> + b_k), read through the forward. Returns (train features,
    noiseless train target, test features, test target); the first N columns are the N-feature
    model (nested, as in the paper)."""
    beta = torch.randn(DIM, generator=run.generator, dtype=torch.float64)
    beta = beta / beta.norm()
    x, f = tasks.linear_plus_interaction(N_TRAIN, beta, run.generator)
    x_test, f_test = tasks.linear_plus_interaction(test_points, beta, run.generator)
    net = run.role("two-layer", in_dim=DIM, width=width, activation="relu", w_std=DIM ** -0.5,
                   dtype=torch.float64)
    x, f, x_test, f_test = run.to_device(x, f, x_test, f_test)
    return (measures.readout_features(net, x), f, measures.readout_features(net, x_test), f_test)


def require_interpolation(run, features: torch.Tensor, y: torch.Tensor) -> None:
    """The peak is the interpolation threshold's: at N = n the minimum-norm readout must fit the
    training labels exactly, else the features are degenerate and there is no threshold."""
    residual = float((features @ (measures.readout_map(features) @ y) - y).norm() / y.norm())
    run.require(residual < 1e-6, f"the N = n readout does not interpolate (relative residual "
                                 f"{residual:.3g})")


@claim(
    id="double-descent/interpolation-peak",
    statement="The test error of minimum-norm least squares on random features peaks at the "
              "interpolation threshold (as many features as training samples, N = n) and falls "
              "again as N grows beyond it; with optimally tuned ridge regularisation the peak "
              "is gone.",
    source=paper("belkin2019reconciling", "Fig. 2 (random features, min-norm least squares, "
                                          "test error against N around N = n)"),
    metric="median over draws (5 at ci) of the test MSE at N = n over the larger of the test "
           "MSEs at N = n/4 and N = 4n (n = 100, label noise 0.5)",
    holds_if=(">", 10),
    control=control("ridge 0.1 (lambda n I; Nakkiran et al. 2020: tuned ridge removes the "
                    "peak)", ridge=0.1),
    seeds=per_scale(ci=3, paper=10),
)
def interpolation_peak(run, ridge=0.0):
    widths = [N_TRAIN // 4, N_TRAIN, 4 * N_TRAIN]
    peaks, curves = [], []
    for _ in range(run.scaled(ci=5, paper=20)):
        train, f, test, f_test = random_features_setting(
            run, max(widths), test_points=run.scaled(ci=2000, paper=10_000))
        y = f + NOISE * torch.randn(N_TRAIN, generator=run.generator,
                                    dtype=torch.float64).to(f.device)
        require_interpolation(run, train[:, :N_TRAIN], y)
        error = {N: measures.readout_test_error(train[:, :N], y, test[:, :N], f_test, ridge)
                 for N in widths}
        peaks.append(error[N_TRAIN] / max(error[widths[0]], error[widths[-1]]))
        if run.tracing:
            curves.append([measures.readout_test_error(train[:, :N], y, test[:, :N], f_test,
                                                       ridge) for N in TRACED_WIDTHS])
    for width, errors in zip(TRACED_WIDTHS, zip(*curves, strict=True), strict=False):
        run.trace("test MSE (median over draws)", width, float(np.median(errors)),
                  x_label="features N (n = 100 training points)")
    return float(np.median(peaks))


@claim(
    id="double-descent/noise-feeds-peak",
    statement="The peak at the interpolation threshold is a variance effect: label noise "
              "amplifies the test error at N = n many-fold, where under tuned ridge the same "
              "noise adds only its share.",
    source=paper("nakkiran2020optimal", "min-norm vs optimally tuned ridge regression (the "
                                        "peak at the interpolation threshold and its removal)"),
    metric="median over draws (16 at ci) of E[test MSE with label noise 0.5] / test MSE "
           "without noise at N = n, the expectation over the noise in closed form",
    holds_if=(">", 2.0),
    control=control("ridge 0.1 (lambda n I)", ridge=0.1),
    seeds=per_scale(ci=3, paper=10),
)
def noise_feeds_peak(run, ridge=0.0):
    amplification = []
    for _ in range(run.scaled(ci=16, paper=64)):
        train, f, test, f_test = random_features_setting(run, N_TRAIN, test_points=2000)
        require_interpolation(run, train, f)
        amplification.append(measures.label_noise_amplification(train, f, test, f_test, NOISE,
                                                                ridge))
    run.trace_array("noise amplification at N = n per draw (sorted)", np.sort(amplification))
    return float(np.median(amplification))
