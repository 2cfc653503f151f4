"""Simplicity bias: of several features that each predict the label perfectly, a network trained
by gradient descent relies on the simplest (a linear one) and ignores the others (slabs)."""

import torch

from harness import claim, control, measures, paper, per_scale, tasks, train

SEED = "simplicity-bias/lms5"
SLAB_DIMS = 9


def shuffled_accuracies(run, linear_predictive: bool) -> dict[str, float]:
    """Shah et al. 2020's LMS-5 data in small: a linear coordinate (margin 0.1) and 9 5-slab
    coordinates, 1,000 training and 2,000 test points; a two-layer ReLU net of width 100 (LeCun-
    style init) trained by full-batch Adam (lr 0.01, 800 steps) on the logistic loss. Returns the
    test accuracies with the slab coordinates, and with the linear one, permuted across test
    points (S-randomised, L-randomised: the coordinate keeps its distribution but no longer
    carries the label)."""
    dim = 1 + SLAB_DIMS
    x, y = tasks.linear_and_slabs(run.scaled(ci=1000, paper=50_000), SLAB_DIMS, run.generator,
                                  linear_predictive=linear_predictive)
    x_test, y_test = tasks.linear_and_slabs(2000, SLAB_DIMS, run.generator,
                                            linear_predictive=linear_predictive)
    perm = torch.randperm(len(x_test), generator=run.generator)
    slabs_shuffled, linear_shuffled = x_test.clone(), x_test.clone()
    slabs_shuffled[:, 1:] = x_test[perm, 1:]
    linear_shuffled[:, 0] = x_test[perm, 0]
    x, y, x_test, y_test, slabs_shuffled, linear_shuffled = run.to_device(
        x, y, x_test, y_test, slabs_shuffled, linear_shuffled)
    width = run.scaled(ci=100, paper=1000)
    net = run.role("two-layer", in_dim=dim, width=width, activation="relu", w_std=dim ** -0.5,
                   a_std=width ** -0.5)
    train.fit(train.logistic(net, x, y[:, None]), torch.optim.Adam(net.parameters(), lr=0.01),
              steps=run.scaled(ci=800, paper=5000))
    with torch.no_grad():
        accuracy = {name: measures.accuracy(net(inputs)[:, 0], y_test)
                    for name, inputs in [("test", x_test), ("slabs", slabs_shuffled),
                                         ("linear", linear_shuffled)]}
    for position, name in enumerate(accuracy):
        run.trace("test accuracy: as drawn (0), slabs permuted (1), linear permuted (2)",
                  position, accuracy[name], x_label="test set", level=0.5)
    run.require(accuracy["test"] > 0.9, f"test accuracy {accuracy['test']:.3g} is not above "
                                        "0.9: the network did not learn the task")
    return accuracy


@claim(
    id="simplicity-bias/linear-only",
    statement="Trained on data where a linear coordinate and several 5-slab coordinates each "
              "predict the label perfectly, the network relies on the linear coordinate only: "
              "permuting it across examples drops the accuracy to chance.",
    source=paper("shah2020pitfalls", "LMS-5 experiments (MLPs)",
                 reported="L-randomised test accuracy about 50%"),
    metric="test accuracy with the linear coordinate permuted across test points",
    holds_if=("<", 0.7),
    control=control("linear coordinate not predictive (random sign)", linear_predictive=False),
    seeds=per_scale(ci=3, paper=10),
    seed_name=SEED,
)
def relies_on_linear(run, linear_predictive=True):
    return run.shared(shuffled_accuracies, linear_predictive=linear_predictive)["linear"]


@claim(
    id="simplicity-bias/slabs-ignored",
    statement="The same network ignores the 5-slab coordinates, though each alone predicts the "
              "label perfectly: permuting all of them across examples leaves the accuracy "
              "near 100%.",
    source=paper("shah2020pitfalls", "LMS-5 experiments (MLPs)",
                 reported="S-randomised test accuracy about 100%"),
    metric="test accuracy with the 9 slab coordinates permuted across test points",
    holds_if=(">", 0.9),
    control=control("linear coordinate not predictive (random sign)", linear_predictive=False),
    seeds=per_scale(ci=3, paper=10),
    seed_name=SEED,
)
def ignores_slabs(run, linear_predictive=True):
    return run.shared(shuffled_accuracies, linear_predictive=linear_predictive)["slabs"]
