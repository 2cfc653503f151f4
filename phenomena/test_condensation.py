"""Condensation: with small initialisation, hidden neurons' input weights gather on few
orientations."""

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train


def train_phase_diagram_net(run, gamma: float, width: int):
    """Luo et al. 2021's 1-D setting (Sec. 5): the three points of the paper's code; a ReLU net with
    beta1 = beta2 = m^(-gamma/2) and alpha = 1, so the scaling exponent is gamma (gamma' = 0);
    antisymmetric init; float64; full-batch GD with a backtracking step, to a loss below 1e-7."""
    x, y = run.to_device(*tasks.phase_diagram_points())
    std = width ** (-gamma / 2)
    net = run.role("two-layer", in_dim=1, width=width, activation="relu", w_std=std, a_std=std,
                   antisymmetric=True, dtype=torch.float64)
    loss = train.mse(net, x, y)
    train.fit(loss, train.BacktrackingGD(net.parameters(), loss, lr=0.1),
              steps=run.scaled(ci=20_000, paper=200_000), observe=train.loss_below(loss, 1e-7),
              every=10)
    return net


@claim(
    id="condensation/small-init",
    statement="In the condensed regime of the phase diagram (small init, gamma > 1), the neurons "
              "that carry the output have their input weights on a few orientations.",
    source=paper("luo2021phase", "Sec. 5, Fig. 5 (condensed regime, 1-D input)"),
    metric="share of amplitude |a_k| ||(w_k, b_k)|| in the 4 most loaded 0.05-rad orientation bins",
    holds_if=(">", 0.8),
    control=control("linear regime (gamma = 0.5, NTK-like scaling)", gamma=0.5),
    seeds=per_scale(ci=4, paper=10),
)
def small_init_condenses(run, gamma=1.75):
    net = train_phase_diagram_net(run, gamma, width=run.scaled(ci=1000, paper=10_000))
    with torch.no_grad():
        w, a = net.neuron_input_weights().cpu().numpy(), net.neuron_output_weights().cpu().numpy()
    return measures.orientation_share(w, measures.neuron_amplitudes(w, a), bins=4)
