"""The frequency principle: networks fit the low frequencies of a target before the high ones."""

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train

PEAKS = (1, 3, 5)


def steps_to_fit_peaks(run, fourier_scale: float | None, level: float = 0.2) -> dict[int, float]:
    """Xu et al. 2019, Fig. 1, shrunk: f = sin x + sin 3x + sin 5x on a 200-point periodic grid,
    a tanh 1-100-1 network with N(0, 0.1^2) weights, full-batch Adam lr 1e-3. Returns, per peak
    k, the first step at which Delta_F(k) < level, censored at the step budget."""
    x = tasks.periodic_grid(200)
    y = tasks.sum_of_sines(x, PEAKS)
    inputs = x if fourier_scale is None else tasks.random_fourier_features(
        x, n_features=50, scale=fourier_scale, generator=run.generator)
    inputs, y = run.to_device(inputs, y)
    net = run.role("two-layer", in_dim=inputs.shape[1], width=run.scaled(ci=100, paper=1000),
                   activation="tanh", w_std=0.1, a_std=0.1)
    budget = run.scaled(ci=3_000, paper=20_000)
    fitted: dict[int, float] = {}

    def record(step: int) -> bool:
        with torch.no_grad():
            output = net(inputs).cpu().numpy()[:, 0]
        errors = measures.relative_spectral_error(output, y.cpu().numpy()[:, 0], PEAKS)
        for k, error in zip(PEAKS, errors, strict=True):
            if k not in fitted and error < level:
                fitted[k] = step
        return len(fitted) == len(PEAKS)

    train.fit(train.mse(net, inputs, y), torch.optim.Adam(net.parameters(), lr=1e-3),
              steps=budget, observe=record, every=10)
    return {k: fitted.get(k, budget) for k in PEAKS}


@claim(
    id="frequency/low-first",
    statement="A network fits the lowest frequency of a 1-D target long before the highest: "
              "Delta_F of the lowest peak falls below 0.2 many times sooner than that of the "
              "highest.",
    source=paper("xu2019frequency", "Fig. 1 (sin x + sin 3x + sin 5x, tanh network)"),
    metric="steps until Delta_F(5) < 0.2 over steps until Delta_F(1) < 0.2 (censored at budget)",
    holds_if=(">", 10.0),
    control=control("random Fourier features of scale 10 in front of the network",
                    fourier_scale=10.0),
    seeds=per_scale(ci=3, paper=8),
)
def low_frequencies_first(run, fourier_scale=None):
    steps = steps_to_fit_peaks(run, fourier_scale)
    return steps[max(PEAKS)] / max(steps[min(PEAKS)], 1)
