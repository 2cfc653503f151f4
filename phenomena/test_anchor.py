"""Transformers on anchor functions: the attention operations that solve an anchor-key task, and
whether the initialisation scale makes a transformer compose primitives or memorise pairs."""

import contextlib
import math

import pytest
import torch

from harness import claim, control, majority, measures, paper, per_scale, tasks, train

COMPOSITION_KEYS = torch.arange(20, 60)  # items 20..59; targets x - 10 .. x + 10 lie in [10, 70)
EMBEDDING_RANK = 16.0  # half the embedding width d = 32


def train_anchor_transformer(run, sequences, targets, vocab: int, init_std: float, steps: int,
                             warmup: int, lr: float, batch: int,
                             watched: dict[str, tuple] | None = None):
    """A 2-layer, 1-head, d 32 post-LN causal transformer (the anchor papers' mechanism-study
    shape, shrunk), every weight matrix ~ N(0, init_std^2), trained on the answer at the last
    position: AdamW peak lr `lr`, wd 0.1, minibatches of `batch`, linear warm-up then cosine
    decay. `watched`: curve name -> (sequences, their answers), whose accuracy is traced every
    100 steps."""
    tokens, targets = run.to_device(sequences.tokens, targets)
    net = run.role("transformer", vocab=vocab, max_len=tokens.shape[1], n_layers=2, d_model=32,
                   n_heads=1, d_ff=96, norm="post", init_std=init_std)
    tracers = [train.trace_accuracy(run, name, lambda seqs=seqs: train.last_position_logits(
        net, run.to_device(seqs.tokens)[0]), answers) for name, (seqs, answers)
        in (watched or {}).items()]
    # foreach: the same values as the per-parameter loop, ~5% faster on the CPU
    optimiser = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=0.1, foreach=True)
    train.fit(train.last_token_cross_entropy(net, tokens, targets, batch, run.generator), optimiser,
              steps, schedule=train.warmup_cosine(optimiser, warmup, steps),
              observe=lambda step: any([tracer(step) for tracer in tracers]), every=100)
    return net


def last_position_answers(run, net, sequences) -> torch.Tensor:
    (tokens,) = run.to_device(sequences.tokens)
    with torch.no_grad():
        return net(tokens)[:, -1].argmax(dim=-1).cpu()


def attention_maps_on(run, net, sequences) -> list[torch.Tensor]:
    """The role's per-layer attention maps on `sequences` (through its attention_maps() hook)."""
    last_position_answers(run, net, sequences)
    return [weights.cpu() for weights in net.attention_maps()]


@contextlib.contextmanager
def subnormals_flushed():
    """Subnormal floats flushed to zero on the CPU (no effect on a GPU). Once the stripped model's
    attention saturates, its softmax makes subnormals, which the CPU computes slowly: a step at
    batch 256 went from 6 to 21 ms (pilot 2026-12-03), so the trainings that solve the task cost
    3.5 times the others."""
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)  # the default; nothing else in the suite sets it


def identity_attention(run, shuffled_targets: bool) -> float:
    """Zhang, Wang et al. 2024's one-anchor identity task at the paper's length: 9 items from
    20..59, anchor token 3 at a position p in 0..6, the key at p + 1, the answer (the key) read at
    the last position; the authors' 30,000 training sequences, the (key, position)
    combinations with key mod 7 == p held out. The model is the authors' stripped mechanism-study
    model (GPT_lightly): 2 attention-only layers, 1 head, no MLP, residual connection, LayerNorm,
    causal mask or output projection, d_model = vocabulary = 60, the final stream read as the
    logits; Adam peak lr 5e-3, batch 160, a 50-step warm-up in a cosine decay over 550 steps
    at both scales (a constant 1e-2 diverges in some seeds), subnormals flushed. The authors'
    step count for this study could not be read; the paper scale had 4,000 steps of batch 256
    until 2026-12-03, and there 3 of 8 seeds at base seed 0 did not solve the held-out
    combinations (accuracy 0.29-0.49: longer training memorises the trained ones), so it adds
    seeds only. Returns measures.shift_then_broadcast on 1,000 held-out sequences, after requiring
    that their answers are right (accuracy >= 0.9: the mechanism claimed is the one that solves
    the task)."""
    length = 9
    data = tasks.identity_sequences(30_000, length, (20, 60), 3, run.generator)
    held_out = tasks.identity_sequences(1000, length, (20, 60), 3, run.generator, held_out=True)
    targets = data.targets
    if shuffled_targets:
        targets = targets[torch.randperm(len(targets), generator=run.generator)]
    tokens, targets = run.to_device(data.tokens, targets)
    net = run.role("transformer", vocab=60, max_len=length, n_layers=2, d_model=60, n_heads=1,
                   norm="none", causal=False, mlp=False, residual=False,
                   attention_output=False, unembedding=False)
    optimiser = torch.optim.Adam(net.parameters(), lr=5e-3)
    steps, batch = 550, 160
    with subnormals_flushed():
        train.fit(train.last_token_cross_entropy(net, tokens, targets, batch, run.generator),
                  optimiser, steps, schedule=train.warmup_cosine(optimiser, 50, steps))
        first, second = attention_maps_on(run, net, held_out)
    key = int(held_out.key_positions.mode().values)  # the commonest position of the key
    for layer, maps in enumerate((first, second), start=1):
        run.trace_array(f"layer {layer} attention (query x key)",
                        maps[held_out.key_positions == key].mean(dim=(0, 1)))
    if not shuffled_targets:
        accuracy = float((last_position_answers(run, net, held_out) == held_out.targets)
                         .double().mean())
        run.require(accuracy >= 0.9, f"held-out accuracy {accuracy:.2f} < 0.9: the task is not "
                                     "solved, so no mechanism of solving it is measured")
    return measures.shift_then_broadcast(first, second, held_out.key_positions)


@claim(
    id="anchor/shift-broadcast",
    statement="A 2-layer attention-only transformer trained on the one-anchor identity task "
              "solves it, in most trainings, with two attention operations: layer 1 shifts the "
              "key onto its neighbour the anchor (or the anchor onto the key), layer 2 "
              "broadcasts that position to where the answer is read.",
    source=paper("zhang2024anchor", "mechanism study of the identity task with the stripped "
                                    "2-layer, 1-head attention-only model; authors' code: "
                                    "xuzhiqin1990/anchor_function_pub, model/GPT_lightly.py and "
                                    "paper_plot_code/mechanism_of_simplified_model.ipynb"),
    metric="larger over the shift's two directions of the mean over held-out sequences of "
           "min(layer-1 attention moving the key onto the anchor's position, layer-2 attention "
           "of the last position onto it), the other direction alike",
    holds_if=(">", 0.4),
    control=control("targets shuffled across training sequences", shuffled_targets=True),
    seeds=per_scale(ci=3, paper=16),
    # At CI's 3 seeds (550 steps, batch 160) base seeds 0 / 1 / 2 give 0.599 0.631 0.652 | 0.691
    # 0.615 0.187 (invalid: held-out accuracy 0.55) | 0.642 0.456 0.053 (invalid: 0.16), control
    # 0.099-0.106, and base seeds 3-5 9 of 9 above 0.4: the budget was chosen on these 18 seeds.
    # Per training the route is taken, or another one (values near 0 with right answers), or the
    # task is not solved; so the rule is the majority of seeds.
    xfail="most trainings do not solve the task: at 16 seeds (base seeds 0 / 1, 2026-12-03) 7 "
          "and 6 are above 0.4, and 8 and 10 are invalid (held-out accuracy 0.16-0.83 < 0.9); "
          "of the 14 trainings that solve it, 13 take the route (0.43-0.81; the other 0.30), "
          "as in the authors' one-seed mechanism study. The first 3 seeds of base seeds 0-5, on "
          "which this budget was chosen, give 16 of 18 above 0.4 (so CI's 3 seeds xpass), the "
          "26 seeds after them 8 of 26. At 4,000 steps of batch 256 (8 seeds, base seed 0): 3 "
          "above 0.4, 3 invalid. A claim on the trainings that solve the task would need a rule "
          "over valid seeds with a minimum count of them",
    verdict=majority,
)
def attention_shifts_and_broadcasts(run, shuffled_targets=False):
    """The full model of the other anchor claims (residual stream, causal mask, MLP) solves the
    task without a shift (pilots 2026-12-01: key -> anchor stays at the uniform causal 1/(k+1),
    value 0.25-0.27 at base seeds 0-2, while the held-out answers are right): the residual stream
    and the mask give it a route the stripped model lacks. The stripped model, as the authors
    built it for the mechanism study, takes the shift-and-broadcast route."""
    return identity_attention(run, shuffled_targets)


def held_out_composition_answers(run, init_std: float) -> dict[str, float]:
    """The catalogue's fast form of Zhang, Lin et al. 2024's composition task: anchors 1..4 shift
    a key x in 20..59 by +5, +1, -2, -8; length-4 sequences [x, a1, a2, f] or [f, x, a1, a2];
    15 anchor pairs x 40 keys x 20 sequences, (3, 4) trained on x - 6, (4, 3) held out.
    Batch 256; 1,500 steps, a 250-step warm-up, peak lr 3e-3 (paper scale: 3,000 steps, 500,
    2e-3). Shorter does not hold honestly (pilots 2026-12-03 at 15 s a claim: 420-1,000 steps,
    batch 64-512, lr 3e-3 to 1.5e-2): small-init seen-pair accuracy, on exact answers (its
    errors are off by one), stayed below 0.8 in 1 to 9 of 9 seeds, at most 6 of 9 seeds were
    inferential, and some base seed lost the majority in each. Returns the seen-pair accuracy on
    fresh sequences and the shares of held-out (4, 3) answers that are symmetric (x - 6), exactly
    inferential (x - 10) and within +-1 of it."""
    seen_pairs, held_pair = tasks.anchor_pairs(held_out=False), tasks.anchor_pairs(held_out=True)
    data = tasks.composition_sequences(seen_pairs, COMPOSITION_KEYS, 20, run.generator)
    seen = tasks.composition_sequences(seen_pairs, COMPOSITION_KEYS, 2, run.generator)
    held = tasks.composition_sequences(held_pair, COMPOSITION_KEYS, 10, run.generator)
    inferential = held.targets  # the task's target for (4, 3) is the composition x - 10
    watched = {"seen-pair accuracy": (seen, seen.targets),
               "held-out: inferential x - 10": (held, inferential),
               "held-out: symmetric x - 6": (held, inferential + 4)}
    steps, warmup, lr = run.scaled(ci=(1500, 250, 3e-3), paper=(3000, 500, 2e-3))
    net = train_anchor_transformer(run, data, data.targets, vocab=70, init_std=init_std,
                                   steps=steps, warmup=warmup, lr=lr, batch=256, watched=watched)
    answers = last_position_answers(run, net, held)
    return {"seen": float((last_position_answers(run, net, seen) == seen.targets).double().mean()),
            "symmetric": float((answers == inferential + 4).double().mean()),
            "inferential": float((answers == inferential).double().mean()),
            "near_inferential": float(((answers - inferential).abs() <= 1).double().mean()),
            "key_embedding_rank": key_embedding_rank(run, net)}


def key_embedding_rank(run, net) -> float | None:
    """The effective rank of the key items' input embeddings (rows 20..59, centred), read
    through the transformer hook token_embeddings(); None for a model without it, NaN where the
    embeddings are not finite."""
    hook = getattr(net, "token_embeddings", None)
    if not callable(hook):
        return None
    keys = hook().detach()[COMPOSITION_KEYS].cpu()
    if not torch.isfinite(keys).all():
        return math.nan
    spectrum = torch.linalg.svdvals(keys - keys.mean(dim=0)).pow(2)
    run.trace_array("key embeddings: covariance eigenvalues", spectrum)
    return measures.effective_rank(keys)


@claim(
    id="anchor/init-inferential",
    statement="Trained on compositions of anchor functions with one anchor pair held out, a "
              "transformer from small initialisation answers the held-out pair by composing "
              "the primitives (inferential); from large initialisation it copies the mapping of "
              "the mirrored pair (symmetric).",
    source=paper("zhang2024initialization", "phase diagram of init rate x depth (2 layers: "
                 "small init inferential, large symmetric); abstract and the NeurIPS poster's "
                 "figure captions (not verified against the PDF)"),
    metric="share of held-out (4, 3) answers within +-1 of the inferential x - 10 minus the "
           "share that are symmetric (x - 6); 0 unless seen-pair accuracy >= 0.8",
    holds_if=(">", 0.3),
    control=control("large init (every weight N(0, 0.03^2))", init_std=0.03),
    seeds=per_scale(ci=3, paper=9),
    # Measured over base seeds 0 / 1 / 2 (2026-12-03, 1,500 steps): small init 0.497 0.545 0.605
    # | 0.895 0.875 0.862 | 0.398 0.875 0.927 (9 of 9 seeds inferential), large init 0.668 -1 -1
    # | -0.985 -1 -0.742 | -1 -1 0.09 (1 of 9); in pilots with fused AdamW (other rounding) 15 of
    # 18 small-init seeds over base seeds 0-5, and base seed 3 lost the majority. At 3,000 steps,
    # lr 2e-3 (2026-12-02): 7 of 9 and 0 of 9. A seed's outcome is a coin weighted by the init
    # scale, so the rule is the majority of seeds; at lr 1e-3 all 9 small-init seeds inferred,
    # and 2 of 12 large-init.
    verdict=majority,
)
def small_init_infers(run, init_std=0.0005):
    shares = run.shared(held_out_composition_answers, init_std=init_std)
    if shares["seen"] < 0.8:
        return 0.0
    return shares["near_inferential"] - shares["symmetric"]


@claim(
    id="anchor/inferential-low-complexity",
    statement="The solution small initialisation finds has low complexity: the input embeddings "
              "of the key items span few directions, where from large initialisation they "
              "keep a high-dimensional spread.",
    source=paper("zhang2024initialization", "the complexity analysis of the two solutions "
                 "(eigenvalues of the word-embedding covariance, small vs large init); NeurIPS "
                 "poster's figure captions (not verified against the PDF)"),
    metric="effective rank (Roy-Vetterli, centred) of the 40 key items' input embeddings, of "
           "d = 32 (the trainings of anchor/init-inferential; seen-pair accuracy >= 0.8 "
           "required)",
    holds_if=("<", EMBEDDING_RANK),
    control=control("large init (every weight N(0, 0.03^2))", init_std=0.03),
    seeds=per_scale(ci=3, paper=9),
    seed_name="anchor/init-inferential",
    # Measured over base seeds 0 / 1 / 2 (2026-12-03, 1,500 steps): small init 11.4 8.44 11.7 |
    # 11.9 10.1 11.5 | 11.3 12.9 9.93, large init 16.6 19.7 19.6 | 19.9 19.8 19.6 | 19.3 19.6
    # 17.6; the lowest large-init rank is the large-init seed that inferred (base seed 0's first).
)
def small_init_embeds_keys_in_few_directions(run, init_std=0.0005):
    shares = run.shared(held_out_composition_answers, init_std=init_std)
    if shares["key_embedding_rank"] is None:
        pytest.skip("the key embeddings are read through the transformer hook "
                    "token_embeddings(); this model has none")
    run.require(shares["seen"] >= 0.8, f"seen-pair accuracy {shares['seen']:.2f} < 0.8: the "
                                       "task is not learnt, so no solution is measured")
    return shares["key_embedding_rank"]
