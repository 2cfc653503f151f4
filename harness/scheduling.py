"""xdist scheduling that sends claims sharing training runs to one worker.

Claims that read different measures off the same runs (one `seed_name`) compute those runs once
per process (`Run.shared`); on two workers they would compute them twice. Under `-n` the plugin
replaces xdist's default `--dist load` with `RunGroupScheduling`: xdist's load-scope scheduler
with the scope of a test being its claim's run group. xdist's own `loadgroup` cannot serve: it
labels tests by rewriting a node id attribute that pytest 9.2 no longer reads.

The controller process does not collect tests, so the scheduler finds a test's claim by importing
its module from the node id. Grouping only saves time: a test whose claim cannot be found is a
group of its own, and scheduling stays correct.

Run groups are handed out longest first, by the seconds a saved JSON report recorded for their
claims (a group costs the sum of its claims' `seconds`: claims sharing runs show 0 s for all but
one): a worker that takes the longest group last would finish alone, long after the others.
Groups the report does not know (new claims) go first, in xdist's order (groups of more tests
first, then collection order): a new claim may be long, and started first it overlaps the long
ones instead of adding its whole time at the end; if it is short, it costs the workers little.
Each worker holds the test it runs and its next one (an xdist worker needs the next to start),
so a group goes to a worker one test before that worker is free, not when it is free.

The report is `--schedule-from PATH`, else the environment variable PHENOMENA_SCHEDULE_FROM,
else the committed `baselines/ci.json` under the rootdir (skipped silently when absent, as in
another project: then every group is unknown and xdist's order stands). A named report that
cannot be read is a usage error. A report at another scale or from another machine still ranks
the groups well. Rows match a test by node id, else by claim id (a renamed test keeps its time).
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest
from xdist.scheduler import LoadScopeScheduling

from harness.saved import load_json

DEFAULT_TIMES = Path("baselines") / "ci.json"
TIMES_ENV = "PHENOMENA_SCHEDULE_FROM"


def run_group(claim: object, node_id: str) -> str:
    """The claim's seed name (its id unless it shares runs: claims that read one training run
    share a seed name, which may be one of their ids), else, for a test that is no claim, its
    node id."""
    return getattr(claim, "seed_name", None) or node_id


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


def claim_of_node(node_id: str, root: Path) -> object | None:
    """The claim a node id names (a module-level function of a file under `root`), or None."""
    path, _, name = node_id.partition("::")
    module = _module_at(root / path) if name.isidentifier() else None
    return getattr(module, name, None)


def run_group_of_node(node_id: str, root: Path) -> str:
    return run_group(claim_of_node(node_id, root), node_id)


def times_path(config: pytest.Config) -> tuple[Path | None, str | None]:
    """The report to schedule from and what asked for it (the option or the environment
    variable; None for the default), or (None, None) when nothing names one and the default
    report is absent. A relative path is taken from the directory pytest was started in."""
    for source, given in (("--schedule-from", config.getoption("schedule_from", None)),
                          (TIMES_ENV, os.environ.get(TIMES_ENV))):
        if given:
            return Path(config.invocation_params.dir, given), source
    default = config.rootpath / DEFAULT_TIMES
    return (default if default.is_file() else None), None


class RecordedSeconds(NamedTuple):
    """Seconds per test (node id) and per claim id, from the rows of a saved JSON report."""

    by_test: dict[str, float]
    by_claim: dict[str, float]


def recorded_seconds(path: Path) -> RecordedSeconds:
    """The seconds the report at `path` recorded; rows without a number of seconds are left out.
    Raises ValueError, naming the file, if it is not a report (only its rows' seconds are
    read: a timings file need not be a whole report)."""
    report = load_json(path)
    rows = report.get("claims") if isinstance(report, dict) else None
    if not isinstance(rows, list):
        raise ValueError(f"{path}: not a phenomena report (expected an object with 'claims')")
    recorded = RecordedSeconds({}, {})
    for row in rows:
        value = row.get("seconds") if isinstance(row, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        for key, table in ((row.get("test"), recorded.by_test), (row.get("id"), recorded.by_claim)):
            if isinstance(key, str):
                table[key] = float(value)
    return recorded


def longest_first(groups: Mapping[str, Iterable[str]],
                  cost: Mapping[str, float | None]) -> list[str]:
    """The groups (name -> its tests' node ids) in the order to hand them out: those none of
    whose tests has a cost first, in their given order; then the others by the sum of their
    tests' costs, largest first (ties in their given order)."""
    totals: dict[str, float | None] = {}
    for name, tests in groups.items():
        known = [cost[t] for t in tests if cost.get(t) is not None]
        totals[name] = sum(known) if known else None
    unknown = [name for name, total in totals.items() if total is None]
    known = sorted((name for name, total in totals.items() if total is not None),
                   key=lambda name: -totals[name])
    return unknown + known


def worker_number(gateway_id: str) -> tuple[int, str]:
    """A sort key for xdist gateway ids ('gw0', 'gw10'): by number, then by name."""
    digits = gateway_id.lstrip("gw")
    return (int(digits) if digits.isdigit() else -1, gateway_id)


class RunGroupScheduling(LoadScopeScheduling):
    """Load scheduling in units of run groups, handed out longest first (`longest_first`)."""

    def __init__(self, config: pytest.Config, log=None):
        super().__init__(config, log)
        self.root = config.rootpath
        path, source = times_path(config)
        try:
            self.recorded = recorded_seconds(path) if path else RecordedSeconds({}, {})
        except ValueError as exc:
            if source:
                raise pytest.UsageError(f"{source} {exc}") from None
            self.recorded = RecordedSeconds({}, {})
        self._cost: dict[str, float | None] = {}

    def _check_nodes_have_same_collection(self) -> bool:
        """Every worker must collect the same tests (remote workers run their own checkout):
        otherwise the run stops with one line naming the workers and a test that differs."""
        # Compared with the lowest-numbered worker, whichever registered first.
        (first, tests), *others = sorted(self.registered_collections.items(),
                                         key=lambda item: worker_number(item[0].gateway.id))
        for node, collection in others:
            differ = sorted(set(tests) ^ set(collection))
            if differ or list(tests) != list(collection):
                line = (f"worker {node.gateway.id} collected other tests than {first.gateway.id}"
                        f" ({len(collection)} against {len(tests)}; e.g. "
                        f"{differ[0] if differ else 'another order'}): give every --tx gateway "
                        f"the same checkout")
                self.config.hook.pytest_collectreport(report=pytest.CollectReport(
                    nodeid=node.gateway.id, outcome="failed", longrepr=line, result=[]))
                return False
        return True

    def _split_scope(self, nodeid: str) -> str:
        return run_group_of_node(nodeid, self.root)

    def cost_of(self, nodeid: str) -> float | None:
        """The recorded seconds of a test: by node id, else by its claim's id; None if none."""
        if nodeid not in self._cost:
            seconds = self.recorded.by_test.get(nodeid)
            if seconds is None:
                claim_id = getattr(claim_of_node(nodeid, self.root), "id", None)
                if isinstance(claim_id, str):
                    seconds = self.recorded.by_claim.get(claim_id)
            self._cost[nodeid] = seconds
        return self._cost[nodeid]

    def _assign_work_unit(self, node) -> None:
        # xdist pops the first unit of its work queue: put the longest first. The queue is
        # complete on the first call (schedule() fills it, then assigns), and units a crashed
        # worker left are appended to it; ordering before every pop covers both.
        order = longest_first({scope: list(unit) for scope, unit in self.workqueue.items()},
                              {t: self.cost_of(t) for unit in self.workqueue.values()
                               for t in unit})
        for scope in order:
            self.workqueue.move_to_end(scope)
        super()._assign_work_unit(node)
