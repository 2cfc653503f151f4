"""The pytest plugin: options, the settings fixture, claim collection and sharding.

Registered through the `pytest11` entry point, so an installed package gives every project the
options. torch is imported only once claims are collected or an option needs it, so unrelated
pytest runs in the same environment pay little.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from pathlib import Path

import pytest

from harness.report import TRACE_FORMATS, WRITERS
from harness.results import CLAIM_KEY, COLLECTED_KEY, OUTCOME_KEY, REASON_KEY, ClaimLog

SCALES = ("ci", "paper")
DEVICES = ("auto", "cpu", "cuda")
LOCAL_INDEX = "phenomena_local_index"
HOST_COUNTS_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("phenomena", "phenomena claims")
    group.addoption("--scale", choices=SCALES, default="ci",
                    help="budgets: ci (default; CPUs and CI) or paper (wider, longer, more seeds)")
    group.addoption("--base-seed", type=int, default=0, metavar="N",
                    help="every random number of every claim derives from it (default 0)")
    group.addoption("--device", choices=DEVICES, default="auto",
                    help="auto (CUDA when present), cpu or cuda; xdist workers round-robin GPUs")
    group.addoption("--arch", action="append", default=[], metavar="ROLE=FACTORY",
                    help="replace the model factory of a role: module:callable, or the name of "
                         "an entry point in the group 'phenomena.architectures' (repeatable)")
    group.addoption("--report", action="append", default=[], metavar="PATH",
                    help="write the claims report; format by extension: "
                         + ", ".join(WRITERS) + " (repeatable)")
    group.addoption("--compare", metavar="BASELINE.json",
                    help="add a column: verdict flips and value changes against a saved report")
    group.addoption("--plots", metavar="DIR",
                    help="write each claim's figure (its traces, claim and control, and its "
                         "values against the threshold) as PNG and PDF (needs matplotlib)")
    group.addoption("--shard", metavar="K/N",
                    help="run only the K-th of N shards of the collected tests (1 <= K <= N), "
                         "balanced by the seconds in the --schedule-from report; 'auto' takes "
                         "K and N from the SLURM_ARRAY_TASK_* variables")
    group.addoption("--stop-when-decided", action="store_true",
                    help="stop a claim at the first seed that decides its verdict against it "
                         "(fewer values in the report, not cached; for sanity runs)")
    group.addoption("--roles", action="store_true",
                    help="print every role's contract (what an --arch factory must provide)")
    group.addoption("--schedule-from", metavar="REPORT.json",
                    help="under -n, hand run groups to workers longest first by the seconds in "
                         "this saved report (default: $PHENOMENA_SCHEDULE_FROM, else "
                         "baselines/ci.json; groups it lacks go first)")


def pytest_cmdline_main(config: pytest.Config) -> int | None:
    if config.getoption("roles"):
        from harness.roles import describe_roles

        print(describe_roles())
        return 0
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "claim: a phenomena claim (added by the plugin)")
    for path in config.getoption("report"):
        if Path(path).suffix not in WRITERS:
            raise pytest.UsageError(f"--report {path}: unknown format {Path(path).suffix!r}; "
                                    f"allowed: {', '.join(WRITERS)}")
    baseline = config.getoption("compare")
    if baseline and not Path(baseline).is_file():
        raise pytest.UsageError(f"--compare {baseline}: no such file (give a saved .json report)")
    if baseline:
        from harness.saved import NotAReport, read_report

        try:
            read_report(Path(baseline))
        except NotAReport as exc:
            raise pytest.UsageError(f"--compare {exc}") from None
    if config.getoption("plots") and importlib.util.find_spec("matplotlib") is None:
        raise pytest.UsageError("--plots needs matplotlib: pip install 'phenomena[plots]'")
    shard_of(config)
    refuse_paths_for_remote_workers(config)
    if config.getoption("arch"):
        architectures_from(config)
    if config.getoption("device") == "cuda" and not distributes(config):
        resolve_device(config)  # under xdist each worker resolves its own
    config.pluginmanager.register(ClaimLog(config), "phenomena-claim-log")


def distributes(config: pytest.Config) -> bool:
    """Whether this process is an xdist controller: its workers run the claims, elsewhere."""
    return (not hasattr(config, "workerinput")
            and config.getoption("dist", "no") != "no" and bool(config.getoption("tx", None)))


def refuse_paths_for_remote_workers(config: pytest.Config) -> None:
    """xdist resolves path arguments against its rsync roots on ssh and socket gateways and stops
    with an internal error when none holds them: say so in one line, before any gateway starts."""
    remote = [tx for tx in config.getoption("tx", None) or [] if "ssh=" in tx or "socket=" in tx]
    if (not remote or hasattr(config, "workerinput")
            or config.args_source != pytest.Config.ArgsSource.ARGS
            or config.getoption("rsyncdir", None) or config.getini("rsyncdirs")):
        return
    raise pytest.UsageError(f"--tx {remote[0]}: path arguments ({' '.join(config.args)}) cannot "
                            f"reach remote workers without --rsyncdir; select claims with -k "
                            f"and let testpaths name the folders")


def shard_of(config: pytest.Config) -> tuple[int, int] | None:
    value = config.getoption("shard")
    if value is None:
        return None
    from harness.sharding import parse_shard

    try:
        return parse_shard(value)
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(trylast=True)  # after -k and -m deselected theirs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Record the claims collected (a merge checks that its shards cover them), then keep this
    shard's tests: shard K of N takes its run groups of a split balanced by recorded seconds
    (harness/sharding.py), so shards are disjoint, cover the suite, keep claims that share runs
    together, and every machine computes the same split."""
    config.stash[COLLECTED_KEY] = sorted(
        item.phenomena_claim.id for item in items if hasattr(item, "phenomena_claim"))
    shard = shard_of(config)
    if shard is None:
        return
    k, n = shard
    from harness.scheduling import recorded_seconds, run_group, times_path
    from harness.sharding import balanced_shards

    path, source = times_path(config)
    try:
        recorded = recorded_seconds(path) if path else None
    except ValueError as exc:
        if source:
            raise pytest.UsageError(f"{source} {exc}") from None
        recorded = None
    group, cost = {}, {}  # a group costs its tests' known seconds; None when none is known
    for item in items:
        claim = getattr(item, "phenomena_claim", None)
        group[item] = name = run_group(claim, item.nodeid)
        seconds = None if recorded is None else recorded.by_test.get(
            item.nodeid, recorded.by_claim.get(getattr(claim, "id", None)))
        cost.setdefault(name, None)
        if seconds is not None:
            cost[name] = (cost[name] or 0.0) + seconds
    kept = balanced_shards(cost, n)[k - 1]
    config.hook.pytest_deselected(items=[it for it in items if group[it] not in kept])
    items[:] = [it for it in items if group[it] in kept]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand the claims it collected (before --shard) to the controller,
    which collects nothing itself, for the report's `collected` (a merge checks it)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["phenomena_collected"] = session.config.stash.get(COLLECTED_KEY, None)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """On the controller: the collected claims of the first worker that reports them (every
    worker collects the same tests; the scheduler checks it)."""
    collected = getattr(node, "workeroutput", {}).get("phenomena_collected")
    if collected is not None:
        node.config.stash.setdefault(COLLECTED_KEY, collected)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under -n with xdist's default distribution, send claims that share training runs to one
    worker (harness/scheduling.py); an explicit --dist other than load is left alone."""
    if config.getoption("dist") != "load":
        return None
    from harness.scheduling import RunGroupScheduling

    return RunGroupScheduling(config, log)


def architectures_from(config: pytest.Config):
    from harness.roles import ArchitectureError, Architectures

    try:
        return Architectures.from_options(config.getoption("arch"))
    except ArchitectureError as exc:
        raise pytest.UsageError(f"--arch: {exc}") from None


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """On the controller: number each xdist worker among the workers on its own host (the
    gateway's ssh or socket address; popen workers are this host), so GPUs go round robin per
    host, not by the global worker number."""
    spec = node.gateway.spec
    host = spec.ssh or spec.socket or "popen"
    counts = node.config.stash.setdefault(HOST_COUNTS_KEY, {})
    node.workerinput[LOCAL_INDEX] = counts.get(host, 0)
    counts[host] = counts.get(host, 0) + 1


def worker_index(config: pytest.Config | None = None) -> int:
    """This worker's index among the workers on its host (0 outside xdist)."""
    given = getattr(config, "workerinput", {}).get(LOCAL_INDEX)
    if given is not None:
        return given
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


def resolve_device(config: pytest.Config):
    """The device of this process: the k-th xdist worker on a host takes its visible GPU
    k mod count (CUDA_VISIBLE_DEVICES, per gateway with --tx ...//env:CUDA_VISIBLE_DEVICES=...,
    says which)."""
    import torch

    choice = config.getoption("device")
    if choice == "cpu" or (choice == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise pytest.UsageError("--device cuda: CUDA is not available here; "
                                "allowed: auto, cpu (or install a CUDA build of torch)")
    return torch.device("cuda", worker_index(config) % torch.cuda.device_count())


@pytest.fixture(scope="session")
def phenomena_settings(pytestconfig: pytest.Config):
    """The session's settings for claims. Claims run single-threaded on the CPU (torch and the
    BLAS under numpy): tiny models gain nothing from threads, xdist workers do not oversubscribe
    cores, and results are bit-identical whatever the worker count. torch.optim's first use
    imports several seconds of modules: paid here, not in the first claim's time."""
    import threadpoolctl
    import torch

    from harness.run import Settings

    torch.set_num_threads(1)
    threadpoolctl.threadpool_limits(1)
    torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.0)
    return Settings(scale=pytestconfig.getoption("scale"),
                    base_seed=pytestconfig.getoption("base_seed"),
                    device=resolve_device(pytestconfig),
                    architectures=architectures_from(pytestconfig),
                    traces=keeps_traces(pytestconfig))


def keeps_traces(config: pytest.Config) -> bool:
    """Experiments' traces are kept only for figures (--plots) or a report that holds them
    (.json, .html); otherwise recording them costs nothing."""
    return bool(config.getoption("plots")) or any(
        Path(path).suffix in TRACE_FORMATS for path in config.getoption("report"))


@pytest.fixture(scope="session")
def phenomena_cache(pytestconfig: pytest.Config):
    """The claim-result cache, or None when pytest's cache is disabled (-p no:cacheprovider)."""
    from harness.cache import ClaimCache

    store = getattr(pytestconfig, "cache", None)
    return ClaimCache(store) if store is not None else None


@pytest.fixture(scope="session")
def phenomena_progress(pytestconfig: pytest.Config):
    """A per-seed progress line writer under -v in a serial run; None when quiet (default and -q
    verbosity, xdist workers, CI=true)."""
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if (pytestconfig.get_verbosity() < 1 or reporter is None or os.environ.get("CI")
            or hasattr(pytestconfig, "workerinput")):
        return None
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"    {line}")

    return write


def claim_test(claim):
    """The pytest test function that evaluates `claim` (or replays its cached outcome) and
    records what it measured."""
    from harness.claims import ClaimNotMet, ModelFault, Outcome

    def run_claim(phenomena_settings, phenomena_cache, phenomena_progress, pytestconfig,
                  record_property) -> None:
        key = phenomena_cache.key(claim, phenomena_settings) if phenomena_cache else None
        stored = phenomena_cache.get(key) if key else None
        if stored and phenomena_settings.traces and stored.get("traces") is None:
            stored = None  # cached by a run that kept no traces: recompute them
        try:
            outcome = (Outcome(**stored) if stored else claim.evaluate(
                phenomena_settings, phenomena_progress,
                stop_when_decided=pytestconfig.getoption("stop_when_decided")))
        except ModelFault as fault:
            record_property(REASON_KEY, str(fault))
            pytest.fail(str(fault), pytrace=False)
        if not stored:
            from harness.provenance import provenance

            outcome.provenance = provenance(phenomena_settings.device)
        if key and not stored and not outcome.stopped_early:
            phenomena_cache.set(key, dataclasses.asdict(outcome))
        record_property(OUTCOME_KEY, {
            "seeds": outcome.seeds,
            "values": outcome.values,
            "invalid": outcome.invalid,
            "control_values": outcome.control_values,
            "control_invalid": outcome.control_invalid,
            "seconds": round(outcome.seconds, 3),
            "arch": {role: phenomena_settings.architectures.origin(role)
                     for role in outcome.roles},
            "cached": stored is not None,
            "stopped_early": outcome.stopped_early,
            "breakages": outcome.breakages,
            "traces": outcome.traces if phenomena_settings.traces else None,
            "provenance": outcome.provenance,
        })
        if not claim.passed(outcome):
            explanation = claim.explain(outcome)
            record_property(REASON_KEY, explanation)
            raise ClaimNotMet(explanation)

    run_claim.__doc__ = claim.statement
    return run_claim


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name: str, obj: object):
    if not getattr(obj, "is_phenomena_claim", False):
        return None
    from harness.claims import ClaimNotMet

    item = pytest.Function.from_parent(collector, name=name, callobj=claim_test(obj))
    item.add_marker(pytest.mark.claim)
    item.extra_keyword_matches.add(obj.id)  # -k selects by claim id: -k grokking/ln-position
    item.phenomena_claim = obj
    if obj.xfail:
        item.add_marker(pytest.mark.xfail(reason=obj.xfail, raises=ClaimNotMet, strict=False))
    item.user_properties.append((CLAIM_KEY, obj.describe()))
    return [item]
