"""Neural collapse: in the terminal phase of training (after the training error reaches zero) the
penultimate features of each class collapse onto their class mean."""

import math

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train


def collapse_in_terminal_phase(run, weight_decay: float) -> float:
    """Papyan et al. 2020's measurement in small: 4 classes of 50 points from a Gaussian mixture
    in 20 dimensions (class means ~ N(0, I / 4), unit noise), an MLP with two ReLU hidden layers
    of 64 (He init), full-batch SGD on cross-entropy (lr 0.05, momentum 0.9, the given weight
    decay), 2,000 steps (paper: 20,000). NC1 = Tr(Sigma_W Sigma_B^+) / K on the last hidden
    layer's training features is read at the first check (every 20 steps) with 100% training
    accuracy, the start of the terminal phase, and at the end. Returns NC1(end) / NC1(start)."""
    x, labels = tasks.gaussian_mixture(4, 20, 50, separation=0.5, generator=run.generator)
    x, labels = run.to_device(x, labels)
    net = run.role("mlp", in_dim=20, out_dim=4, width=64, depth=2)
    loss = train.cross_entropy(net, x, labels)
    state = {}

    def observe(step: int) -> bool:
        with torch.no_grad():
            fitted = measures.accuracy(net(x), labels) == 1
            if fitted and "start" not in state:
                state["start"] = measures.within_class_variability(net.features(), labels)
            if run.tracing and step % 100 == 0:
                run.trace("NC1 = Tr(Sigma_W Sigma_B^+) / K", step,
                          measures.within_class_variability(net.features(), labels))
            state["fitted"] = fitted
        return False

    steps = run.scaled(ci=2000, paper=20_000)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9,
                                weight_decay=weight_decay)
    train.fit(loss, optimizer, steps=steps, observe=observe, every=20)
    run.require("start" in state, f"training accuracy never reached 100% in {steps} steps "
                                  "(no terminal phase)")
    run.require(state["fitted"], "training accuracy fell below 100% by the end")
    final = float(train.closure_value(loss))
    run.require(math.isfinite(final), "the training loss diverged")
    if "start" not in state:
        return float("nan")
    with torch.no_grad():
        net(x)
        return measures.within_class_variability(net.features(), labels) / state["start"]


@claim(
    id="neural-collapse/within-class",
    statement="During the terminal phase of training, the within-class variability of the "
              "penultimate features collapses relative to the between-class variability "
              "(NC1 falls); weight decay is what drives the collapse.",
    source=paper("papyan2020collapse", "abstract (NC1: within-class variability of last-layer "
                 "training activations collapses during the terminal phase of training; the "
                 "catalogue's Fig. 6, Tr(Sigma_W Sigma_B^+) / C, is not verified); weight decay "
                 "as the cause: Jacot et al. 2024 (arXiv:2410.04887)"),
    metric="NC1 at the end (2,000 steps) over NC1 at the first 100% training accuracy",
    holds_if=("<", 0.65),
    control=control("no weight decay", weight_decay=0.0),
    seeds=per_scale(ci=3, paper=10),
)
def features_collapse(run, weight_decay=1e-2):
    return collapse_in_terminal_phase(run, weight_decay)
