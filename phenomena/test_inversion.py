"""Full-waveform inversion with a deep re-parametrisation of the velocity model: fitting the weights
of a random-weight network instead of the grid values is argued to act as a prior that helps when
shots and receivers are few and the data are noisy (Yan, Wu, Xu, Ma, arXiv 2311.04531, "An
Unsupervised Deep Learning Approach for the Wave Equation Inverse Problem"; CSIAM Trans. Appl. Math.
2025)."""

import torch

from harness import claim, control, paper, per_scale, train
from harness.tasks import seismic

# The data the paper's argument is about (30 x 60 cells of 10 m, 2 shots, 10 receivers, 8 Hz,
# 0.4 s, Gaussian noise of 5% of the data's standard deviation), and the control's opposite.
DATA = {"limited": (seismic.Survey(), 0.05),
        "abundant": (seismic.Survey(shots=8, receivers=50), 0.0)}
PRIOR_AMPLITUDE = 500.0  # m/s of velocity update for a network output of 1
# Adam steps tuned on a separate seed (derive_seed(0, "inversion/step-tuning", 0), 30 iterations)
# over {1, 3, 10, 30} (grid, m/s) and {3e-4, 1e-3, 3e-3, 1e-2} (network), lowest model error:
# grid 0.995 1.004 1.081 1.243; network 0.990 1.041 1.053 1.519 (both best at the smallest step).
STEPS = {"grid": 1.0, "network": 3e-4}


def invert(run, parametrisation: str, data: str) -> float:
    """Yan et al. 2023's comparison, shrunk: a layered model with a lens, a linear-in-depth start,
    the survey and noise of `data` (see DATA); Adam on the normalised data misfit, either on the
    grid values (conventional FWI) or on the weights of a deep-image-prior network whose output,
    minus its output at initialisation, is the velocity update (same start for both). Returns the
    model error ||v - v_true|| / ||v_start - v_true|| after the iteration budget."""
    survey, noise = DATA[data]
    truth = seismic.layered_lens_model(survey, run.generator)
    observed = seismic.record(*run.to_device(truth), survey)
    observed = observed + noise * observed.std() * run.to_device(
        torch.randn(observed.shape, generator=run.generator))[0]
    start, truth = run.to_device(seismic.linear_start(survey), truth)
    if parametrisation == "grid":
        update = torch.nn.Parameter(torch.zeros_like(start))
        parameters, velocity = [update], lambda: start + update
    else:
        prior = run.role("image-prior", height=survey.depth, width=survey.distance)
        at_init = prior().detach()
        parameters = list(prior.parameters())
        velocity = lambda: start + PRIOR_AMPLITUDE * (prior() - at_init)  # noqa: E731

    def misfit() -> torch.Tensor:
        return (seismic.record(velocity(), survey) - observed).pow(2).mean() \
            / observed.pow(2).mean()

    def record(step: int) -> bool:
        if run.tracing:
            with torch.no_grad():
                run.trace(f"model error ({parametrisation})", step,
                          (velocity() - truth).norm() / (start - truth).norm(), level=1.0)
        return False

    train.fit(misfit, torch.optim.Adam(parameters, lr=STEPS[parametrisation]),
              steps=run.scaled(ci=20, paper=300), observe=record)
    with torch.no_grad():
        return float((velocity() - truth).norm() / (start - truth).norm())


@claim(
    id="inversion/dnn-reparam",
    statement="With few shots and receivers and noisy data, inverting for the weights of a "
              "random-weight network that outputs the velocity gives a lower model error than "
              "conventional grid inversion from the same start.",
    source=paper("yan2023fwi", "abstract of arXiv v1 and of the journal version (better than "
                               "conventional inversion with limited shots or receivers and "
                               "random noise); the experiments' models, survey and numbers "
                               "were not readable"),
    metric="model error of the network re-parametrisation over that of grid inversion, "
           "each with its own tuned Adam step",
    holds_if=("<", 0.9),
    control=control("abundant, noise-free data (8 shots, 50 receivers, no noise)",
                    data="abundant"),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured network/grid model-error ratios 1.04 1.19 1.09 / 1.13 1.08 0.975 / 1.01 "
          "0.994 1.00 (base seeds 0/1/2; control with abundant data 1.00 1.07 1.03 at base "
          "seed 0): no advantage. In this small problem (2 shots, 10 receivers, 5% noise, 20 "
          "Adam steps) neither method lowers the model error below the start's by more than "
          "~1%. At the paper scale's 300 steps (base seed 0, first seed, CPU, 4 min): limited "
          "data grid 1.028, network 1.131 (ratio 1.10); abundant data grid 0.861, network "
          "1.452 (ratio 1.69): the steps tuned over 30 iterations fit the noisy data while the "
          "network's model moves away from the truth. The setting in which the paper shows its "
          "advantage (test models, survey, network, iterations) could not be read: only the "
          "abstracts of arXiv v1 and of the journal version were reachable, and no authors' "
          "code was found",
)
def network_prior_beats_grid(run, data="limited"):
    return (run.shared(invert, parametrisation="network", data=data)
            / run.shared(invert, parametrisation="grid", data=data))
