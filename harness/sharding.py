"""Splitting the collected claims into N disjoint shards, one per machine or SLURM array task.

A shard is a set of run groups (claims that share training runs stay together; see
harness/scheduling.py), chosen so that every shard takes about the same time: groups are placed
longest first, each into the shard with the least seconds so far (greedy longest-processing-time),
by the seconds a saved report recorded for their claims. A group the report does not know counts
as the mean of the known ones; without any timings every group counts the same, and the split is
a round robin over the sorted group names. Ties go by group name and to the lowest shard, so every
machine that reads the same report computes the same split.

`--shard auto` takes K and N from a SLURM job array: task SLURM_ARRAY_TASK_ID of an array of
SLURM_ARRAY_TASK_COUNT tasks whose first id is SLURM_ARRAY_TASK_MIN.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

SLURM_VARIABLES = ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN")


def parse_shard(value: str, environ: Mapping[str, str] = os.environ) -> tuple[int, int]:
    """(K, N) from `K/N`, or from the SLURM array variables for `auto`. Raises ValueError with
    the one line to show."""
    if value == "auto":
        given = {name: environ.get(name, "") for name in SLURM_VARIABLES}
        bad = [name for name, text in given.items() if not text.isdigit()]
        if bad:
            raise ValueError(f"--shard auto: {', '.join(bad)} not set to a number (run it as a "
                             f"task of a SLURM job array, or give K/N)")
        task, count, first = (int(given[name]) for name in SLURM_VARIABLES)
        if not first <= task < first + count:
            raise ValueError(f"--shard auto: SLURM_ARRAY_TASK_ID={task} is outside the array "
                             f"of {count} tasks from {first}")
        return task - first + 1, count
    match = re.fullmatch(r"(\d+)/(\d+)", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard {value}: expected K/N with 1 <= K <= N, e.g. 2/4, or auto")
    return int(match[1]), int(match[2])


def balanced_shards(cost: Mapping[str, float | None], n: int) -> list[set[str]]:
    """The run groups (name -> recorded seconds, None when unknown) split into `n` shards."""
    known = [seconds for seconds in cost.values() if seconds is not None]
    default = sum(known) / len(known) if known else 1.0
    seconds = {name: default if value is None else value for name, value in cost.items()}
    shards: list[set[str]] = [set() for _ in range(n)]
    load = [0.0] * n
    for name in sorted(seconds, key=lambda name: (-seconds[name], name)):
        target = min(range(n), key=lambda index: (load[index], index))
        shards[target].add(name)
        load[target] += seconds[name]
    return shards
