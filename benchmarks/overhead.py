"""Harness overhead: a claim's training loop through `harness.train.fit` against the same loop
written bare in torch (same model, data, optimiser and steps).

    python benchmarks/overhead.py [--steps 3000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

from harness import tasks, train
from harness.models import TwoLayerSpec, two_layer_net


def setting():
    """The frequency-principle claim's loop: tanh 1-100-1 on a 200-point grid, full-batch Adam."""
    x = tasks.periodic_grid(200)
    y = tasks.sum_of_sines(x, (1, 3, 5))
    net = two_layer_net(TwoLayerSpec(in_dim=1, width=100, activation="tanh", w_std=0.1,
                                     a_std=0.1), torch.Generator().manual_seed(0))
    return net, x, y, torch.optim.Adam(net.parameters(), lr=1e-3)


def through_harness(steps: int) -> float:
    net, x, y, optimizer = setting()
    start = time.perf_counter()
    train.fit(train.mse(net, x, y), optimizer, steps)
    return time.perf_counter() - start


def bare(steps: int) -> float:
    net, x, y, optimizer = setting()
    start = time.perf_counter()
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        loss = 0.5 * (net(x) - y).pow(2).mean()
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    harness_times, bare_times = [], []
    for _ in range(args.repeats):  # interleaved, so drifts in machine load hit both alike
        harness_times.append(through_harness(args.steps))
        bare_times.append(bare(args.steps))
    h, b = min(harness_times), min(bare_times)
    print(f"{args.steps} steps, best of {args.repeats}: harness {h:.3f} s, bare {b:.3f} s, "
          f"overhead {100 * (h / b - 1):+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
