"""Multi-step reasoning in context: what makes a transformer match (parent, child) pairs and chain
them to the node k steps from a query, instead of memorising bigrams."""

import torch

from harness import claim, control, paper, per_scale, tasks, train
from harness.noise import add_orthogonal_noise
from harness.seeding import derive_seed, torch_generator

CHAIN, HOPS, VOCAB = 4, 2, 21
ARMS = {"small-post": (0.02, "post"), "large-pre": (0.3, "pre")}
NOISE = 0.7


def chain_test_accuracy(run, arm: str, replica: int, *, steps: int, batch: int, lr: float,
                        warmup: int, noise: float = 0.0) -> float:
    """Wang, Wang et al. 2024's reasoning task, shrunk: chains of 4 distinct tokens from 1..20,
    their 3 (parent, child) pairs shuffled, then a query; the answer is the node 2 steps down the
    chain. 20,000 training chains of pair types {0, 1, 4}, 1,000 test chains of types {2, 3}
    (drawn from the seed, the same for every arm). A 3-layer, 1-head, d 32 causal transformer
    (init std and LayerNorm placement from `arm`; pre-LN adds a final norm), optionally with
    orthogonal noise of magnitude `noise` on its attention weights (harness.noise), AdamW peak
    lr `lr`, wd 0.1, minibatches of `batch`, a `warmup`-step linear warm-up inside a cosine decay
    over `steps`; the test accuracy is traced every 50 steps. The model's init, noise and batches
    come from the seed's stream numbered `replica`, so two replicas of one arm are two
    independent trainings. Returns the test accuracy of the answer read at the query."""
    data = tasks.reasoning_chains(20_000, CHAIN, HOPS, VOCAB, test=False, generator=run.generator)
    test = tasks.reasoning_chains(1_000, CHAIN, HOPS, VOCAB, test=True, generator=run.generator)
    run.generator = torch_generator(derive_seed(run.seed, "replica", replica))
    init_std, norm = ARMS[arm]
    tokens, targets, test_tokens = run.to_device(data.tokens, data.targets, test.tokens)
    net = run.role("transformer", vocab=VOCAB, max_len=tokens.shape[1], n_layers=3, d_model=32,
                   n_heads=1, d_ff=128, norm=norm, final_norm=norm == "pre", init_std=init_std)
    if noise:
        add_orthogonal_noise(net, noise, run.generator)
    # foreach: the same values as the per-parameter loop (checked bit for bit), ~3-6% faster
    optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.1, foreach=True)
    curve = f"test accuracy, {arm}{', orthogonal noise' if noise else ''} (training {replica})"
    train.fit(train.last_token_cross_entropy(net, tokens, targets, batch, run.generator),
              optimiser, steps, schedule=train.warmup_cosine(optimiser, warmup, steps),
              observe=train.trace_accuracy(run, curve, lambda: train.last_position_logits(
                  net, test_tokens), test.targets), every=50)
    with torch.no_grad():
        answers = train.last_position_logits(net, test_tokens).argmax(dim=-1).cpu()
    return float((answers == test.targets).double().mean())


@claim(
    id="reasoning/matching-init-ln",
    statement="Small initialisation with post-LayerNorm makes a transformer reason over chains "
              "of in-context pairs (matching) better than large initialisation with pre-"
              "LayerNorm: higher accuracy on chains of unseen pair types.",
    source=paper("wang2024matching", "v1, the comparison of initialisation scale and "
                                     "LayerNorm position (abstract; section and figure number "
                                     "not verified against the PDF)"),
    metric="2-hop test accuracy of the arm's training minus that of an independent large init + "
           "pre-LN training (same data; at CI 250 steps of batch 192, peak lr 3e-2)",
    holds_if=(">", 0.1),
    control=control("knob flipped: the arm is large init + pre-LN too", arm="large-pre"),
    seeds=per_scale(ci=3, paper=8),
)
def small_init_post_ln_reasons_better(run, arm="small-post"):
    """The CI budget (16-17 s for the 9 trainings on one thread) is about the least at which the
    small init + post-LN model leaves its plateau in every seed looked at: at 250 steps of batch
    192, peak lr 3e-2 (125-step warm-up), claim values 0.22-0.44 over base seeds 0-5 (18 seeds;
    small-post test 0.27-0.48, large-pre 0.02-0.09), control values -0.05-0.04; lr 2.5e-2 and
    3.5e-2 or 260 steps also pass on the four slowest of those seeds (claim 0.18-0.43), 240
    steps not (0.07 in one). Cheaper settings fail in some seed that stays on the plateau: 280
    or 300 steps of batch 128 at peak lr 2e-2 pass base seeds 0-2 but not base seed 5 (small-
    post test 0.02-0.03 there), 200-240 steps of batch 192 fail near the 230-step, lr 4e-2
    point that passes all 18. Large init + pre-LN peaks at test 0.2-0.3 early in training and
    falls to 0.03-0.1 as it memorises, so a shorter budget also favours the wrong arm."""
    budget = run.scaled(ci=dict(steps=250, batch=192, lr=3e-2, warmup=125),
                        paper=dict(steps=10_000, batch=128, lr=2e-3, warmup=100))
    reference = run.shared(chain_test_accuracy, arm=arm, replica=0, **budget)
    return reference - run.shared(chain_test_accuracy, arm="large-pre", replica=1, **budget)


@claim(
    id="reasoning/orthogonal-noise",
    statement="Adding orthogonal noise to the attention weights improves a transformer's "
              "multi-step reasoning: higher accuracy on chains of unseen pair types after the "
              "same training budget.",
    source=paper("wang2024matching", "v1, orthogonal noise on the attention matrices W^QK, "
                                     "W^VO (abstract; section, figure and the paper's exact "
                                     "noise construction not verified against the PDF)"),
    metric="2-hop test accuracy of a small init + post-LN training with orthogonal noise of "
           "magnitude 0.7 on W_Q, W_K, W_V, W_O minus that of an independent one without "
           "(same data; at CI 150 steps, peak lr 2e-2; 400 steps, lr 2e-3 at paper scale)",
    holds_if=(">", 0.2),
    control=control("no noise: noise of magnitude 0 (two independent noiseless trainings)",
                    noise=0.0),
    seeds=per_scale(ci=3, paper=8),
)
def orthogonal_noise_improves_reasoning(run, noise=NOISE):
    """At a budget where the noiseless small init + post-LN model has not yet left its plateau,
    the noise takes it off. CI: 150 steps, batch 128, peak lr 2e-2 (75-step warm-up): noiseless
    test 0.00-0.04, with noise 0.39-0.55, claim values 0.39-0.54 over base seeds 0-5 (18 seeds),
    control values -0.04-0.03; 120 steps, or lr 1.6e-2 and 2.4e-2, give 0.28-0.52 on 6 of them,
    180 steps 0.24-0.55 (the noiseless model starts to leave the plateau). Paper scale: 400
    steps at lr 2e-3 (100-step warm-up): noiseless test <= 0.03 (0.0-0.17 at 500 steps,
    0.08-0.21 at 600), with noise 0.3-0.4 (0.4-0.5 at 500, 0.6 at 600). The budget is kept short
    at both scales: given longer, the noiseless model catches up (test 0.4-0.75 at 1,200 steps
    of lr 2e-3), which the claim, about reasoning accuracy after a given budget, does not
    cover."""
    budget = run.scaled(ci=dict(steps=150, batch=128, lr=2e-2, warmup=75),
                        paper=dict(steps=400, batch=128, lr=2e-3, warmup=100))
    reference = run.shared(chain_test_accuracy, arm="small-post", replica=0, **budget)
    return run.shared(chain_test_accuracy, arm="small-post", replica=1, noise=noise,
                      **budget) - reference
