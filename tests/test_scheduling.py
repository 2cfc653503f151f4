"""The xdist scheduler hands run groups out longest first, by the seconds a saved report recorded.

No suite runs here: the scheduler is xdist's own, driven with a stand-in config and stand-in
workers that record what they are sent, on a toy module whose "claims" carry only an id and a
seed name (all that run groups read).
"""

import json
import sys
from types import SimpleNamespace

import pytest

from harness.scheduling import (
    TIMES_ENV,
    RunGroupScheduling,
    longest_first,
    recorded_seconds,
    run_group,
    times_path,
)

TOY = '''
from types import SimpleNamespace as Claim

short = Claim(id="toy/short", seed_name="toy/short")
long = Claim(id="toy/long", seed_name="toy/long")
shared_a = Claim(id="toy/shared-a", seed_name="toy/shared")
new = Claim(id="toy/new", seed_name="toy/new")
renamed = Claim(id="toy/renamed", seed_name="toy/renamed")
shared_b = Claim(id="toy/shared-b", seed_name="toy/shared")
'''
MODULE = "sched_toy_claims"
COLLECTION = [f"{MODULE}.py::{name}" for name in
              ("short", "long", "shared_a", "new", "renamed", "shared_b")] + ["missing.py::f"]
# shared-a and shared-b share runs: the group costs 6 + 5 = 11 s, more than long's 10 s;
# renamed's row names an old test function and is found by its claim id; new has no row.
ROWS = [("toy/short", "short", 1.0), ("toy/long", "long", 10.0), ("toy/shared-a", "shared_a", 6.0),
        ("toy/shared-b", "shared_b", 5.0), ("toy/renamed", "old_name", 8.0)]


def report(rows):
    return {"environment": {}, "claims": [
        {"id": claim_id, "test": f"{MODULE}.py::{name}", "seconds": seconds, "verdict": "pass",
         "values": [], "control": None} for claim_id, name, seconds in rows]}


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A rootdir with the toy module and baselines/ci.json; imports from it are undone after."""
    monkeypatch.delenv(TIMES_ENV, raising=False)
    (tmp_path / f"{MODULE}.py").write_text(TOY)
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "ci.json").write_text(json.dumps(report(ROWS)))
    yield tmp_path
    sys.modules.pop(MODULE, None)
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


class Config:
    """What xdist's load-scope scheduler and ours read of a pytest config."""

    def __init__(self, root, workers=1, schedule_from=None):
        self.rootpath = root
        self.invocation_params = SimpleNamespace(dir=root)
        self.option = SimpleNamespace(tx=[f"{workers}*popen"], loadscopereorder=True,
                                      schedule_from=schedule_from)

    def getvalue(self, name):
        return getattr(self.option, name)

    def getoption(self, name, default=None):
        return getattr(self.option, name, default)


class Worker:
    """A worker that records the test indices it is sent."""

    def __init__(self, name):
        self.gateway = SimpleNamespace(id=name)
        self.sent, self.shutting_down = [], False

    def send_runtest_some(self, indices):
        self.sent.extend(indices)

    def shutdown(self):
        self.shutting_down = True


def simulate(scheduler, collection, seconds, workers=1):
    """Run the collection on `workers` stand-in workers, each test taking `seconds[node id]`
    (every test is sent its next one as soon as it reports; the wait for it is not modelled).
    Returns the workers (with what each was sent, in order) and the wall time."""
    nodes = [Worker(f"gw{i}") for i in range(workers)]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, collection)
    scheduler.schedule()
    done = {node: 0 for node in nodes}  # how many of its sent tests each worker finished
    free_at = dict.fromkeys(nodes, 0.0)
    clock = 0.0
    while any(done[node] < len(node.sent) for node in nodes):
        node = min((n for n in nodes if done[n] < len(n.sent)),
                   key=lambda n: free_at[n] + seconds[collection[n.sent[done[n]]]])
        index = node.sent[done[node]]
        clock = free_at[node] = free_at[node] + seconds[collection[index]]
        done[node] += 1
        scheduler.mark_test_complete(node, index)
    assert scheduler.tests_finished
    return nodes, clock


def handed_out(scheduler, collection):
    (worker,), _ = simulate(scheduler, collection, dict.fromkeys(collection, 1.0))
    return [collection[index] for index in worker.sent]


def names(node_ids):
    return [node_id.split("::")[1] for node_id in node_ids]


def test_groups_are_handed_out_unrecorded_first_then_longest_first(root):
    scheduler = RunGroupScheduling(Config(root))
    assert names(handed_out(scheduler, COLLECTION)) == [
        "new", "f",  # no recorded time: first, in xdist's order (missing.py::f is alone)
        "shared_a", "shared_b",  # 6 + 5 s, one unit, on one worker
        "long", "renamed", "short"]  # 10 s, 8 s (by claim id), 1 s


def test_a_claim_that_reads_another_claims_runs_is_in_its_run_group():
    """A seed name may be another claim's id (anchor/inferential-low-complexity reads the
    trainings of anchor/init-inferential): both go to one worker."""
    owner = SimpleNamespace(id="x/owner", seed_name="x/owner")
    reader = SimpleNamespace(id="x/reader", seed_name="x/owner")
    alone = SimpleNamespace(id="x/alone", seed_name="x/alone")
    assert run_group(owner, "t.py::a") == run_group(reader, "t.py::b") == "x/owner"
    assert run_group(alone, "t.py::c") == "x/alone" and run_group(None, "t.py::d") == "t.py::d"


def test_the_order_function_alone():
    groups = {"a": ["a1"], "b": ["b1", "b2"], "c": ["c1"], "d": ["d1"], "e": ["e1", "e2"]}
    cost = {"a1": 2.0, "b1": 1.5, "b2": 1.5, "c1": 2.0, "e1": None}
    # d and e have no cost (e1 None, e2 absent): first; b sums to 3; a and c tie, keep order.
    assert longest_first(groups, cost) == ["d", "e", "b", "a", "c"]
    assert longest_first({}, {}) == []


def test_without_a_report_groups_go_in_xdist_order(root):
    (root / "baselines" / "ci.json").unlink()
    scheduler = RunGroupScheduling(Config(root))
    # xdist's --loadscope-reorder (its default): groups of more tests first, then collection order
    assert names(handed_out(scheduler, COLLECTION)) == [
        "shared_a", "shared_b", "short", "long", "new", "renamed", "f"]


def test_the_option_then_the_environment_name_the_report(root, monkeypatch):
    (root / "other.json").write_text(json.dumps(report([("toy/short", "short", 99.0)])))
    (root / "env.json").write_text(json.dumps(report([("toy/renamed", "renamed", 99.0)])))
    monkeypatch.setenv(TIMES_ENV, "env.json")
    # Each report knows one claim: it goes last, after the unknown ones.
    by_option = RunGroupScheduling(Config(root, schedule_from="other.json"))
    assert names(handed_out(by_option, COLLECTION))[-1] == "short"
    assert times_path(Config(root, schedule_from="other.json")) == (root / "other.json",
                                                                    "--schedule-from")
    by_environment = RunGroupScheduling(Config(root))
    assert names(handed_out(by_environment, COLLECTION))[-1] == "renamed"
    assert times_path(Config(root)) == (root / "env.json", TIMES_ENV)


def test_a_report_that_was_asked_for_must_be_one_the_default_may_be_anything(root, monkeypatch):
    with pytest.raises(pytest.UsageError, match=r"^--schedule-from .*nothing.json: cannot be"):
        RunGroupScheduling(Config(root, schedule_from="nothing.json"))
    (root / "foreign.json").write_text('{"results": []}')
    monkeypatch.setenv(TIMES_ENV, str(root / "foreign.json"))
    with pytest.raises(pytest.UsageError, match=f"^{TIMES_ENV} .*foreign.json: not a phenomena"):
        RunGroupScheduling(Config(root))
    monkeypatch.delenv(TIMES_ENV)
    (root / "baselines" / "ci.json").write_text('{"claims": [')
    assert RunGroupScheduling(Config(root)).recorded == ({}, {})


def test_rows_without_seconds_are_left_out(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"claims": [{"id": "a", "test": "t.py::a", "seconds": None},
                                           {"id": "b", "test": "t.py::b", "seconds": 2},
                                           {"id": "c", "seconds": True}, "not a row"]}))
    assert recorded_seconds(path) == ({"t.py::b": 2.0}, {"b": 2.0})


def test_on_two_workers_longest_first_finishes_sooner_than_collection_order(root):
    """Six 1 s claims collected before one 6 s claim: handed out in collection order, the long
    one starts when the short ones are half done; longest first, it starts at once."""
    collection = [f"t.py::short{i}" for i in range(6)] + ["t.py::long"]
    seconds = dict.fromkeys(collection, 1.0) | {"t.py::long": 6.0}
    path = root / "times.json"
    path.write_text(json.dumps({"claims": [{"id": n, "test": n, "seconds": s}
                                           for n, s in seconds.items()]}))
    ours = RunGroupScheduling(Config(root, workers=2, schedule_from=str(path)))
    (first, second), wall = simulate(ours, collection, seconds, workers=2)
    assert collection[first.sent[0]] == "t.py::long"
    unrecorded = Config(root, workers=2, schedule_from=str(root / "baselines" / "ci.json"))
    _, wall_in_collection_order = simulate(RunGroupScheduling(unrecorded), collection, seconds,
                                           workers=2)
    # Each worker holds the test it runs and the next: the long one's worker still takes one
    # short claim after it (7 s, not the ideal 6 s); in collection order the long one starts
    # at 3 s and the run takes 9 s.
    assert (wall, wall_in_collection_order) == (7.0, 9.0)


def test_the_option_is_a_pytest_option(pytester):
    try:  # once harness/plugin.py registers it
        config = pytester.parseconfig("--schedule-from=times.json")
    except pytest.UsageError:  # before: the module's own hook
        config = pytester.parseconfig("-p", "harness.scheduling", "--schedule-from=times.json")
    assert config.getoption("schedule_from") == "times.json"
    assert times_path(config) == (pytester.path / "times.json", "--schedule-from")
