"""Multi-step reasoning in context: what makes a transformer match (parent, child) pairs and chain
them to the node k steps from a query, instead of memorising bigrams."""

import torch

from harness import claim, control, paper, per_scale, tasks, train
from harness.seeding import derive_seed, torch_generator

CHAIN, HOPS, VOCAB = 5, 2, 51
ARMS = {"small-post": (0.02, "post"), "large-pre": (0.3, "pre")}


def chain_test_accuracy(run, arm: str, replica: int) -> float:
    """Wang, Wang et al. 2024's reasoning task, shrunk: chains of 5 distinct tokens from 1..50,
    their 4 (parent, child) pairs shuffled, then a query; the answer is the node 2 steps down the
    chain. 20,000 training chains of pair types {0, 1, 4}, 1,000 test chains of types {2, 3}
    (drawn from the seed, the same for every arm). A 3-layer, 1-head, d 32 causal transformer
    (init std and LayerNorm placement from `arm`; pre-LN adds a final norm), AdamW lr 2e-3, wd
    0.1, batch 128, 100-step warm-up and cosine decay. The model's init and batches come from the
    seed's stream numbered `replica`, so two replicas of one arm are two independent trainings.
    Returns the test accuracy of the answer read at the query."""
    data = tasks.reasoning_chains(20_000, CHAIN, HOPS, VOCAB, test=False, generator=run.generator)
    test = tasks.reasoning_chains(1_000, CHAIN, HOPS, VOCAB, test=True, generator=run.generator)
    run.generator = torch_generator(derive_seed(run.seed, "replica", replica))
    init_std, norm = ARMS[arm]
    tokens, targets, test_tokens = run.to_device(data.tokens, data.targets, test.tokens)
    net = run.role("transformer", vocab=VOCAB, max_len=tokens.shape[1], n_layers=3, d_model=32,
                   n_heads=1, d_ff=128, norm=norm, final_norm=norm == "pre", init_std=init_std)
    steps = run.scaled(ci=600, paper=10_000)
    optimiser = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=0.1)
    train.fit(train.last_token_cross_entropy(net, tokens, targets, 128, run.generator), optimiser,
              steps, schedule=train.warmup_cosine(optimiser, 100, steps))
    with torch.no_grad():
        answers = net(test_tokens)[:, -1].argmax(dim=-1).cpu()
    return float((answers == test.targets).double().mean())


@claim(
    id="reasoning/matching-init-ln",
    statement="Small initialisation with post-LayerNorm makes a transformer reason over chains "
              "of in-context pairs (matching) better than large initialisation with pre-"
              "LayerNorm: higher accuracy on chains of unseen pair types.",
    source=paper("wang2024matching", "v1, Sec. 4 (factors that favour the matching mechanism: "
                                     "initialisation scale and LayerNorm position)"),
    metric="2-hop test accuracy of small init + post-LN minus that of large init + pre-LN "
           "(each its own training; same data)",
    holds_if=(">", 0.2),
    control=control("identical settings: a second, independent small init + post-LN training",
                    other_arm="small-post"),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured -0.19 / -0.19 / -0.21 at base seed 0 (600 steps; control 0.00): small "
          "init + post-LN scores ~0 on test chains, large init + pre-LN ~0.19 (picks an "
          "in-context token); pilots at 1,000-1,500 steps (init std 0.02 and 0.08) reached train "
          "0.35-0.62, test <= 0.09: the 2-hop task is not learnt at CI scale within budget",
)
def small_init_post_ln_reasons_better(run, other_arm="large-pre"):
    reference = run.shared(chain_test_accuracy, arm="small-post", replica=0)
    return reference - run.shared(chain_test_accuracy, arm=other_arm, replica=1)
