"""xdist scheduling that sends claims sharing training runs to one worker.

Claims that read different measures off the same runs (one `seed_name`) compute those runs once
per process (`Run.shared`); on two workers they would compute them twice. Under `-n` the plugin
replaces xdist's default `--dist load` with `RunGroupScheduling`: xdist's load-scope scheduler
with the scope of a test being its claim's run group. xdist's own `loadgroup` cannot serve: it
labels tests by rewriting a node id attribute that pytest 9.2 no longer reads.

The controller process does not collect tests, so the scheduler finds a test's claim by importing
its module from the node id. Grouping only saves time: a test whose claim cannot be found is a
group of its own, and scheduling stays correct.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest
from xdist.scheduler import LoadScopeScheduling


def run_group(claim: object, node_id: str) -> str:
    """The claim's shared seed name when it shares runs with other claims, else the node id."""
    seed_name, claim_id = getattr(claim, "seed_name", None), getattr(claim, "id", None)
    return seed_name if seed_name and seed_name != claim_id else node_id


@functools.cache
def _module_at(path: Path) -> ModuleType | None:
    """The module at `path`, imported under its package name as pytest's default import mode
    does (the first directory above its packages goes on sys.path); None if that fails."""
    if path.suffix != ".py" or not path.is_file():
        return None
    parts, base = [path.stem], path.parent
    while (base / "__init__.py").is_file():
        parts.insert(0, base.name)
        base = base.parent
    if str(base) not in sys.path:
        sys.path.insert(0, str(base))
    try:
        return importlib.import_module(".".join(parts))
    except Exception:  # noqa: BLE001 - any failure only costs the grouping
        return None


def run_group_of_node(node_id: str, root: Path) -> str:
    path, _, name = node_id.partition("::")
    module = _module_at(root / path) if name.isidentifier() else None
    return run_group(getattr(module, name, None), node_id)


class RunGroupScheduling(LoadScopeScheduling):
    """Load scheduling in units of run groups (largest groups first, as xdist's loadscope)."""

    def __init__(self, config: pytest.Config, log=None):
        super().__init__(config, log)
        self.root = config.rootpath

    def _split_scope(self, nodeid: str) -> str:
        return run_group_of_node(nodeid, self.root)
