"""Beyond one machine: balanced shards and `--shard auto`, merges that refuse nonsense, submitit
arrays (its local executor: real subprocesses), xdist remote workers, GPUs chosen on the worker."""

import json
import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest
from saved_rows import rows_of, values_of

from harness.merge import main as merge_main
from harness.plugin import LOCAL_INDEX, pytest_configure_node
from harness.sharding import balanced_shards, parse_shard

# Four claims, two of which share runs (one group), so three run groups.
CLAIMS = '''
import os
import torch
from harness import claim, control, paper, per_scale

def noisy_mean(run, shift):
    return float(torch.randn(64, generator=run.generator).mean()) + shift

DECLARATION = dict(statement="A shifted mean is positive.", source=paper("xu2019frequency", "toy"),
                   metric="mean", holds_if=(">", 0.5), control=control("no shift", shift=0.0),
                   seeds=per_scale(ci=3, paper=4))

@claim(id="toy/a", **DECLARATION)
def shifted_a(run, shift=1.0):
    return noisy_mean(run, shift)

@claim(id="toy/b", **DECLARATION)
def shifted_b(run, shift=2.0):
    return noisy_mean(run, shift)

@claim(id="toy/c", seed_name="toy/shared", **DECLARATION)
def shifted_c(run, shift=1.0):
    return noisy_mean(run, shift)

@claim(id="toy/d", seed_name="toy/shared", **DECLARATION)
def shifted_d(run, shift=3.0):
    return noisy_mean(run, shift)

if os.environ.get("TOY_EXTRA"):  # a worker whose checkout differs
    @claim(id="toy/extra", **DECLARATION)
    def shifted_extra(run, shift=1.0):
        return noisy_mean(run, shift)
'''
IDS = {"toy/a", "toy/b", "toy/c", "toy/d"}


@pytest.fixture
def toy(pytester):
    pytester.makepyfile(test_toy=CLAIMS)
    return pytester


# --- balancing and --shard auto ---------------------------------------------------------------

def test_groups_go_longest_first_to_the_least_loaded_shard():
    cost = {"a": 10.0, "b": 7.0, "c": 6.0, "d": 3.0, "e": 1.0}
    assert balanced_shards(cost, 2) == [{"a", "d", "e"}, {"b", "c"}]
    assert balanced_shards({"a": 5.0, "new": None, "b": 1.0}, 2) == [{"a"}, {"new", "b"}]


def test_without_timings_shards_round_robin_over_sorted_names():
    names = ["g3", "g1", "g4", "g2", "g5"]
    assert balanced_shards(dict.fromkeys(names), 2) == [{"g1", "g3", "g5"}, {"g2", "g4"}]


@pytest.mark.parametrize("environ, expected", [
    ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"},
     (1, 4)),
    ({"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "5"},
     (3, 3)),
])
def test_shard_auto_reads_the_slurm_array(environ, expected):
    assert parse_shard("auto", environ) == expected


@pytest.mark.parametrize("environ, message", [
    ({}, "SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN not set"),
    ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "0"},
     "SLURM_ARRAY_TASK_ID not set to a number"),
    ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_MIN": "0"},
     "outside the array of 2 tasks from 0"),
])
def test_shard_auto_outside_an_array_is_one_line(environ, message):
    with pytest.raises(ValueError, match=message):
        parse_shard("auto", environ)


def test_shard_auto_in_a_run_splits_by_recorded_seconds(toy, monkeypatch):
    times = toy.path / "times.json"
    times.write_text(json.dumps({"environment": {}, "claims": [
        {"id": "toy/a", "seconds": 30.0}, {"id": "toy/b", "seconds": 1.0},
        {"id": "toy/c", "seconds": 2.0}, {"id": "toy/d", "seconds": 0.0}]}))
    kept = []
    for task in (10, 11):
        monkeypatch.setenv("SLURM_ARRAY_TASK_ID", str(task))
        monkeypatch.setenv("SLURM_ARRAY_TASK_COUNT", "2")
        monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "10")
        report = toy.path / f"shard{task}.json"
        toy.runpytest_subprocess("-p", "no:cacheprovider", "--shard=auto",
                                 f"--schedule-from={times}", f"--report={report}")
        kept.append(set(rows_of(report)[1]))
    assert kept == [{"toy/a"}, {"toy/b", "toy/c", "toy/d"}]  # 30 s alone; 3 s together
    monkeypatch.delenv("SLURM_ARRAY_TASK_ID")
    result = toy.runpytest_subprocess("--shard=auto")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--shard auto: SLURM_ARRAY_TASK_ID not set to a number*"])


def test_a_shard_run_under_xdist_records_what_was_collected(toy):
    """The controller of -n collects nothing; its report still lists every collected claim (as
    a worker collected them, before --shard), so a merge can name what no shard ran."""
    report = toy.path / "shard1.json"
    toy.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--shard=1/2",
                             f"--report={report}")
    environment, rows = rows_of(report)[0]["environment"], rows_of(report)[1]
    assert set(environment["collected"]) == IDS and set(rows) < IDS
    assert merge_main([str(toy.path / "m.json"), str(report)]) == 2


# --- merge refuses nonsense, one line each ----------------------------------------------------

def shard_file(tmp_path, name, ids, collected=None, **environment):
    env = {"scale": "ci", "base_seed": 0, "arch": [], "harness_hash": "h", "shard": name,
           "collected": collected, **environment}
    rows = [{"id": i, "verdict": "pass", "values": [1.0], "control": {"values": [0.0]}}
            for i in ids]
    path = tmp_path / f"{name.replace('/', '-')}.json"
    path.write_text(json.dumps({"environment": env, "claims": rows}))
    return path


@pytest.mark.parametrize("second, expected", [
    (dict(name="2/2", ids=["b"], scale="paper"),
     ["shards disagree on scale: 'ci' in {0}, 'paper' in {1}"]),
    (dict(name="2/2", ids=["b"], base_seed=1, harness_hash="other"),
     ["shards disagree on base_seed: 0 in {0}, 1 in {1}",
      "shards disagree on harness_hash: 'h' in {0}, 'other' in {1}"]),
    (dict(name="2/2", ids=["b"], arch=["two-layer=m:f"]),
     ["shards disagree on arch: [] in {0}, ['two-layer=m:f'] in {1}"]),
    (dict(name="2/2", ids=["a", "b"]), ["claim a is in two shards: {0} and {1}"]),
    (dict(name="2/2", ids=[], collected=["a", "b", "c"]),
     ["claim b was collected but is in no shard (a shard missing, or interrupted)",
      "claim c was collected but is in no shard (a shard missing, or interrupted)"]),
])
def test_merge_refuses_shards_that_are_not_one_run(tmp_path, capsys, second, expected):
    paths = [shard_file(tmp_path, "1/2", ["a"]), shard_file(tmp_path, **second)]
    assert merge_main([str(tmp_path / "m.json"), *map(str, paths)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"python -m harness.merge: {line.format(*paths)}" for line in expected]
    assert not (tmp_path / "m.json").exists()


def test_merge_names_a_shard_that_wrote_no_report(tmp_path, capsys):
    present = shard_file(tmp_path, "1/2", ["a"])
    missing = tmp_path / "shard-2.json"
    assert merge_main([str(tmp_path / "m.json"), str(present), str(missing)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"python -m harness.merge: {missing}: cannot be read (No such file or "
                   f"directory)"]


# --- submitit ---------------------------------------------------------------------------------

def test_submitit_array_merges_into_the_values_of_one_run_and_resumes(toy):
    pytest.importorskip("submitit")
    whole = toy.path / "whole.json"
    toy.runpytest_subprocess("-p", "no:cacheprovider", f"--report={whole}")
    runs = toy.path / "runs"
    command = [sys.executable, "-m", "harness.submit", "--executor=local", "--shards=3",
               f"--folder={runs}", "--time=5", "--", "-p", "no:cacheprovider"]
    first = toy.run(*command)
    assert first.ret == 0, first.stderr.str()
    first.stdout.fnmatch_lines(["*0 of 3 shards already complete; submitting 3*",
                                f"merged report: {runs / 'merged.json'}"])
    assert values_of(runs / "merged.json") == values_of(whole)
    assert [len(rows_of(runs / f"shard-{k}.json")[1]) for k in (1, 2, 3)] == [1, 1, 2]
    (runs / "shard-2.json").unlink()  # pre-empted: only that shard is submitted again
    again = toy.run(*command)
    assert again.ret == 0, again.stderr.str()
    again.stdout.fnmatch_lines(["*2 of 3 shards already complete; submitting 1*"])
    assert values_of(runs / "merged.json") == values_of(whole)


# --- xdist remote workers -----------------------------------------------------------------------

def test_remote_workers_give_the_values_of_n2(toy):
    reports = {how: toy.path / f"{how}.json" for how in ("n2", "tx")}
    toy.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", f"--report={reports['n2']}")
    toy.runpytest_subprocess("-p", "no:cacheprovider", "-d", "--tx", "2*popen",
                             f"--report={reports['tx']}")
    assert set(values_of(reports["tx"])) == IDS
    assert values_of(reports["tx"]) == values_of(reports["n2"])


def test_workers_that_collected_different_tests_stop_the_run_in_one_line(toy):
    result = toy.runpytest_subprocess("-p", "no:cacheprovider", "-d", "--tx", "popen",
                                      "--tx", "popen//env:TOY_EXTRA=1")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["worker gw1 collected other tests than gw0 (5 against 4; e.g. "
                                 "test_toy.py::shifted_extra): give every --tx gateway the "
                                 "same checkout"])


def test_path_arguments_with_an_ssh_gateway_are_one_line(toy):
    result = toy.runpytest_subprocess("-p", "no:cacheprovider", "-d", "--tx",
                                      "ssh=nowhere.invalid//python=python", "test_toy.py")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["ERROR: --tx ssh=nowhere.invalid//python=python: path arguments "
                                 "(test_toy.py) cannot reach remote workers without --rsyncdir; "
                                 "select claims with -k and let testpaths name the folders"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def ssh_ready() -> str | None:
    """Why the ssh test cannot run here, or None when root can ssh to 127.0.0.1 by key."""
    if shutil.which("sshd") is None and not os.path.exists("/usr/sbin/sshd"):
        return "no sshd: apt-get install openssh-server (then key auth for root@127.0.0.1)"
    probe = subprocess.run(["ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3",
                            "-o", "StrictHostKeyChecking=accept-new", "root@127.0.0.1", "true"],
                           capture_output=True, text=True)
    if probe.returncode:
        return ("sshd does not take root@127.0.0.1 by key: service ssh start; ssh-keygen -N '' "
                "-f ~/.ssh/id_ed25519; cat ~/.ssh/id_ed25519.pub >> ~/.ssh/authorized_keys")
    return None


def test_an_ssh_gateway_to_localhost_gives_the_values_of_a_local_run(toy):
    reason = ssh_ready()
    if reason:
        pytest.skip(reason)
    local, remote = toy.path / "local.json", toy.path / "ssh.json"
    toy.runpytest_subprocess("-p", "no:cacheprovider", f"--report={local}")
    result = toy.runpytest_subprocess(
        "-p", "no:cacheprovider", "-d", "--tx",
        f"2*ssh=root@127.0.0.1//python={sys.executable}//chdir={toy.path}", f"--report={remote}")
    assert result.ret == 0, result.outlines
    assert values_of(remote) == values_of(local)


# --- GPUs chosen on the worker ------------------------------------------------------------------

WHERE = '''
import os
from pathlib import Path

def test_where(phenomena_settings):
    out = Path(os.environ["WHERE_OUT"], os.environ["PYTEST_XDIST_WORKER"])
    out.write_text(str(phenomena_settings.device))
'''
FAKE_CUDA_ON_WORKERS = '''
import os
import torch

if "PYTEST_XDIST_WORKER" in os.environ:  # the workers have two GPUs, the controller none
    torch.cuda.is_available = lambda: True
    torch.cuda.device_count = lambda: 2
'''


def test_device_is_resolved_on_each_worker_not_on_the_controller(pytester, monkeypatch):
    pytester.makepyfile(test_where=WHERE, conftest=FAKE_CUDA_ON_WORKERS)
    out = pytester.mkdir("where")
    monkeypatch.setenv("WHERE_OUT", str(out))
    # Under `pytest tests/ -n`, this test's own worker would hand its name to the controller.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--device=cuda",
                                           "-d", "--tx", "2*popen")
    assert result.ret == 0, result.outlines
    ran = {path.name: path.read_text() for path in out.iterdir()}
    assert ran and all(device == f"cuda:{worker[2:]}" for worker, device in ran.items())
    serial = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--device=cuda")
    serial.stderr.fnmatch_lines(["*--device cuda: CUDA is not available here*"])


def test_gpus_are_numbered_per_host_not_by_global_worker():
    config = SimpleNamespace(stash={})
    specs = [dict(ssh="gpu1"), dict(ssh="gpu2"), dict(ssh="gpu1"), dict(), dict(ssh="gpu2")]
    indices = []
    for spec in specs:
        node = SimpleNamespace(config=config, workerinput={}, gateway=SimpleNamespace(
            spec=SimpleNamespace(ssh=spec.get("ssh"), socket=None)))
        pytest_configure_node(node)
        indices.append(node.workerinput[LOCAL_INDEX])
    assert indices == [0, 0, 1, 0, 1]


# --- the claim cache on shared storage ----------------------------------------------------------

def test_two_checkouts_share_the_claim_cache_on_shared_storage(toy, tmp_path_factory):
    shared = tmp_path_factory.mktemp("shared") / "cache"
    first = toy.runpytest_subprocess("-o", f"cache_dir={shared}")
    first.stdout.no_fnmatch_line("*(cached)*")
    other = tmp_path_factory.mktemp("checkout")
    shutil.copy(toy.path / "test_toy.py", other)
    second = subprocess.run([sys.executable, "-m", "pytest", "-o", f"cache_dir={shared}"],
                            cwd=other, capture_output=True, text=True)
    assert second.stdout.count("(cached)") == len(IDS), second.stdout
