"""A fixed reference workload: the unit in which claim costs travel between machines.

    python benchmarks/reference.py [--runs 3]

A 2-layer tanh MLP 64-256-10 trained full batch with Adam (lr 1e-3) for 500 steps on fixed
random data (1,024 Gaussian inputs, 10 random classes, cross-entropy), float32, on the CPU with
one torch thread, as claims run under the plugin. Written in bare torch, not through
`harness.train`, so that changes to the harness do not change the unit. Its seconds are the
median of `runs` timed runs after an untimed warm-up; a claim's cost in reference units is its
seconds divided by these, measured on the same machine, in the same run.

The per-claim budget is 60 s on the slower CI machine kind, that is 60 / (the reference's
seconds on that machine) units; on any other machine a claim is within budget when its units
are at most that many.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch

BUDGET_SECONDS = 60.0  # per claim, on the slower CI machine kind
SAMPLES, IN_DIM, WIDTH, CLASSES, STEPS, LR = 1024, 64, 256, 10, 500, 1e-3


def train_once(steps: int = STEPS) -> float:
    """Seconds to build the model and train it for `steps` steps (data made before the clock)."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(SAMPLES, IN_DIM, generator=generator)
    y = torch.randint(CLASSES, (SAMPLES,), generator=generator)
    start = time.perf_counter()
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(IN_DIM, WIDTH), torch.nn.Tanh(),
                              torch.nn.Linear(WIDTH, CLASSES))
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    return time.perf_counter() - start


def reference_seconds(runs: int = 3) -> tuple[float, list[float]]:
    """The median of `runs` timed runs, and the runs; on one torch thread (restored after)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train_once(steps=20)  # warm-up: first-call allocations and dispatch caches
        times = [train_once() for _ in range(runs)]
    finally:
        torch.set_num_threads(threads)
    return statistics.median(times), times


def budget_units(reference_s: float, budget_s: float = BUDGET_SECONDS) -> float:
    """The per-claim budget in reference units on a machine whose reference takes `reference_s`."""
    return budget_s / reference_s


def describe(reference_s: float, times: list[float]) -> str:
    runs = ", ".join(f"{t:.3f}" for t in times)
    return (f"reference workload: {reference_s:.3f} s (median of {len(times)}: {runs}; "
            f"MLP {IN_DIM}-{WIDTH}-{CLASSES}, Adam, {STEPS} steps, 1 thread, torch "
            f"{torch.__version__}); here {BUDGET_SECONDS:.0f} s = "
            f"{budget_units(reference_s):.0f} units")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(describe(*reference_seconds(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
