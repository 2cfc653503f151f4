"""Transformers on anchor functions: the attention operations that solve an anchor-key task, and
whether the initialisation scale makes a transformer compose primitives or memorise pairs."""

import torch

from harness import claim, control, majority, measures, paper, per_scale, tasks, train

COMPOSITION_KEYS = torch.arange(20, 60)  # items 20..59; targets x - 10 .. x + 10 lie in [10, 70)


def train_anchor_transformer(run, sequences, targets, vocab: int, init_std: float, steps: int,
                             warmup: int):
    """A 2-layer, 1-head, d 32 post-LN causal transformer (the anchor papers' mechanism-study
    shape, shrunk), every weight matrix ~ N(0, init_std^2), trained on the answer at the last
    position: AdamW peak lr 2e-3, wd 0.1, batch 256, linear warm-up then cosine decay."""
    tokens, targets = run.to_device(sequences.tokens, targets)
    net = run.role("transformer", vocab=vocab, max_len=tokens.shape[1], n_layers=2, d_model=32,
                   n_heads=1, d_ff=96, norm="post", init_std=init_std)
    optimiser = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=0.1)
    train.fit(train.last_token_cross_entropy(net, tokens, targets, 256, run.generator), optimiser,
              steps, schedule=train.warmup_cosine(optimiser, warmup, steps))
    return net


def last_position_answers(run, net, sequences) -> torch.Tensor:
    (tokens,) = run.to_device(sequences.tokens)
    with torch.no_grad():
        return net(tokens)[:, -1].argmax(dim=-1).cpu()


def attention_maps_on(run, net, sequences) -> list[torch.Tensor]:
    """The role's per-layer attention maps on `sequences` (through its attention_maps() hook)."""
    last_position_answers(run, net, sequences)
    return [weights.cpu() for weights in net.attention_maps()]


def identity_attention(run, shuffled_targets: bool) -> float:
    """Zhang, Wang et al. 2024's one-anchor identity task at the paper's length: 9 items from
    20..59, anchor token 3 at a position p in 0..6, the key at p + 1, the answer (the key) read at
    the last position; 4,000 training sequences, the (key, position) combinations with
    key mod 7 == p held out. Small init (std 0.005), 1,000 steps with a 100-step warm-up.
    Returns, on 1,000 held-out sequences, the smaller of the layer-1 attention of the key onto the
    anchor (shift) and the layer-2 attention of the last position onto the key (broadcast)."""
    length = 9
    data = tasks.identity_sequences(4000, length, (20, 60), 3, run.generator)
    held_out = tasks.identity_sequences(1000, length, (20, 60), 3, run.generator, held_out=True)
    targets = data.targets
    if shuffled_targets:
        targets = targets[torch.randperm(len(targets), generator=run.generator)]
    net = train_anchor_transformer(run, data, targets, vocab=60, init_std=0.005,
                                   steps=run.scaled(ci=1000, paper=4000), warmup=100)
    first, second = attention_maps_on(run, net, held_out)
    keys, last = held_out.key_positions, torch.full_like(held_out.key_positions, length - 1)
    shift = measures.attention_onto(first, measures.at_positions(keys, length), keys - 1)
    broadcast = measures.attention_onto(second, measures.at_positions(last, length), keys)
    return min(shift, broadcast)


@claim(
    id="anchor/shift-broadcast",
    statement="A 2-layer transformer trained on the one-anchor identity task solves it with two "
              "attention operations: layer 1 shifts the anchor onto the next position (the key), "
              "layer 2 broadcasts the key to the position where the answer is read.",
    source=paper("zhang2024anchor", "abstract; mechanism study of the identity task (2-layer, "
                                    "1-head model): shift and broadcast attention patterns"),
    metric="min(layer-1 attention key -> anchor, layer-2 attention last position -> key) on "
           "held-out (key, position) sequences",
    holds_if=(">", 0.4),
    control=control("targets shuffled across training sequences", shuffled_targets=True),
    seeds=per_scale(ci=3, paper=8),
    xfail="measured 0.25 0.26 0.25 / 0.27 0.27 0.26 / 0.26 0.25 0.25 at base seeds 0 / 1 / 2 "
          "(control 0.11-0.17): held-out answers are right (1.00) and layer 2 broadcasts (last -> "
          "key 1.00), but layer 1 stays uniform (key -> anchor = 1/(k+1)): no shift, and none "
          "at 6 tokens, init 0.001-0.05, d 64, 2,000 steps or pre-LN (partial, some seeds)",
)
def attention_shifts_and_broadcasts(run, shuffled_targets=False):
    """Diagnosis (pilots 2026-12-01, base seeds 0-2): at this scale the model finds the key
    without a shift. Layer 1 keeps the uniform causal average, so the anchor's share in position
    j's mixture is 1/(j+1), largest at the key among the positions after the anchor; layer 2 reads
    that share and attends from the last position to the key. At 6 tokens with init 0.02 the same
    uniform route is taken by the seeds that generalise, while the seeds with key -> anchor
    ~0.5 patch positions together (layer-2 last -> key ~0.5, held-out accuracy 0.3-0.7); pre-LN
    gives a partial, local shift (key -> anchor 0.37-0.50) in some seeds only."""
    return identity_attention(run, shuffled_targets)


def held_out_composition_answers(run, init_std: float) -> dict[str, float]:
    """The catalogue's fast form of Zhang, Lin et al. 2024's composition task: anchors 1..4 shift
    a key x in 20..59 by +5, +1, -2, -8; length-4 sequences [x, a1, a2, f] or [f, x, a1, a2];
    15 anchor pairs x 40 keys x 20 sequences, (3, 4) trained on x - 6, (4, 3) held out.
    3,000 steps, 500-step warm-up. Returns the seen-pair accuracy on fresh
    sequences and the shares of held-out (4, 3) answers that are symmetric (x - 6), exactly
    inferential (x - 10) and within +-1 of it."""
    seen_pairs, held_pair = tasks.anchor_pairs(held_out=False), tasks.anchor_pairs(held_out=True)
    data = tasks.composition_sequences(seen_pairs, COMPOSITION_KEYS, 20, run.generator)
    seen = tasks.composition_sequences(seen_pairs, COMPOSITION_KEYS, 2, run.generator)
    held = tasks.composition_sequences(held_pair, COMPOSITION_KEYS, 10, run.generator)
    net = train_anchor_transformer(run, data, data.targets, vocab=70, init_std=init_std,
                                   steps=3000, warmup=500)
    answers = last_position_answers(run, net, held)
    inferential = held.targets  # the task's target for (4, 3) is the composition x - 10
    return {"seen": float((last_position_answers(run, net, seen) == seen.targets).double().mean()),
            "symmetric": float((answers == inferential + 4).double().mean()),
            "inferential": float((answers == inferential).double().mean()),
            "near_inferential": float(((answers - inferential).abs() <= 1).double().mean())}


@claim(
    id="anchor/init-inferential",
    statement="Trained on compositions of anchor functions with one anchor pair held out, a "
              "transformer from small initialisation answers the held-out pair by composing "
              "the primitives (inferential); from large initialisation it copies the mapping of "
              "the mirrored pair (symmetric).",
    source=paper("zhang2024initialization", "Sec. 3-4, phase diagram of init rate x depth "
                                            "(2 layers: small init inferential, large symmetric)"),
    metric="share of held-out (4, 3) answers within +-1 of the inferential x - 10 minus the "
           "share that are symmetric (x - 6); 0 unless seen-pair accuracy >= 0.8",
    holds_if=(">", 0.3),
    control=control("large init (every weight N(0, 0.03^2))", init_std=0.03),
    seeds=per_scale(ci=3, paper=9),
    # Measured over base seeds 0 / 1 / 2: small init 0.95 0.50 0.95 | 0.95 -0.31 0.95 | 0.48
    # 0.93 -0.24 (7 of 9 seeds inferential), large init 0.09 -1 -1 | -0.95 -1 -1 | -1 -1 0.16
    # (0 of 9). A seed's outcome is a coin weighted by the init scale, so the rule is the
    # majority of seeds; at lr 1e-3 all 9 small-init seeds inferred, and 2 of 12 large-init.
    verdict=majority,
)
def small_init_infers(run, init_std=0.0005):
    shares = held_out_composition_answers(run, init_std)
    if shares["seen"] < 0.8:
        return 0.0
    return shares["near_inferential"] - shares["symmetric"]
