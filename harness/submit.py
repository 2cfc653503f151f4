"""Run the suite as one SLURM job array through submitit, wait, and merge the shards' reports.

    python -m harness.submit --shards 8 --scale paper --partition gpu --gpus-per-task 1 \\
        -- phenomena/ -p no:cacheprovider

Task K of N runs `python -m pytest <pytest args> --scale S --shard K/N --report
FOLDER/shard-K.json` in this directory (so the cluster's nodes must share it); when all have
ended, the shards are merged into FOLDER/merged.json (and any --report). Run the same command
again after a pre-emption or a failed task: shards whose report is complete are kept, only the
others are submitted again. `--executor local` runs the tasks as subprocesses of this machine
(what the tests use). Needs `pip install 'phenomena[cluster]'`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from harness.merge import MergeRefused, merge_files
from harness.report import WRITERS, text_table
from harness.saved import NotAReport, read_report

PROG = "python -m harness.submit"


def shard_report(folder: Path, k: int) -> Path:
    return folder / f"shard-{k}.json"


def is_complete(path: Path, k: int, n: int, scale: str) -> bool:
    """Whether the report at `path` is shard K/N's, at this scale, and was not interrupted."""
    try:
        environment = read_report(path)["environment"]
    except NotAReport:
        return False
    return (environment.get("shard") == f"{k}/{n}" and environment.get("scale") == scale
            and not environment.get("incomplete"))


def run_shard(k: int, n: int, scale: str, pytest_args: list[str], report: Path,
              cwd: Path) -> int:
    """One array task: pytest on shard K/N (runs on the cluster's node); its exit status."""
    command = [sys.executable, "-m", "pytest", *pytest_args, f"--scale={scale}",
               f"--shard={k}/{n}", f"--report={report}"]
    return subprocess.run(command, cwd=cwd).returncode


def executor_for(args: argparse.Namespace):
    import submitit

    executor = submitit.AutoExecutor(folder=args.folder / "submitit", cluster=args.executor)
    parameters = {"timeout_min": args.time, "tasks_per_node": 1, "nodes": 1,
                  "name": "phenomena", "slurm_array_parallelism": args.array_parallelism}
    if args.gpus_per_task:
        parameters["gpus_per_node"] = args.gpus_per_task
    if args.partition:
        parameters["slurm_partition"] = args.partition
    executor.update_parameters(**parameters)
    return executor


def submit(args: argparse.Namespace) -> list[str]:
    """Submit the shards without a complete report, wait for them; one line per failed task."""
    n = args.shards
    todo = [k for k in range(1, n + 1)
            if not is_complete(shard_report(args.folder, k), k, n, args.scale)]
    print(f"{PROG}: {n - len(todo)} of {n} shards already complete; submitting {len(todo)}")
    if not todo:
        return []
    jobs = executor_for(args).map_array(
        run_shard, todo, [n] * len(todo), [args.scale] * len(todo),
        [args.pytest_args] * len(todo), [shard_report(args.folder, k) for k in todo],
        [Path.cwd()] * len(todo))
    failures = []
    for k, job in zip(todo, jobs, strict=True):
        try:
            status = job.result()
        except Exception:  # noqa: BLE001 - a task that died (pre-empted, timed out, crashed)
            failures.append(f"shard {k}/{n} (job {job.job_id}) died; see {job.paths.stderr}")
            continue
        if status not in (0, 1):  # 1: some claim failed, which the report shows
            failures.append(f"shard {k}/{n} (job {job.job_id}): pytest exited {status}; "
                            f"see {job.paths.stdout}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shards", type=int, required=True, help="array size N (>= 1)")
    parser.add_argument("--scale", choices=("ci", "paper"), default="ci")
    parser.add_argument("--executor", choices=("slurm", "local"), default="slurm")
    parser.add_argument("--folder", type=Path, default=Path("phenomena-runs"),
                        help="shards' reports, submitit's logs and merged.json "
                             "(on storage the nodes share; default phenomena-runs)")
    parser.add_argument("--partition", help="SLURM partition")
    parser.add_argument("--time", type=int, default=240, metavar="MIN",
                        help="time limit per task in minutes (default 240)")
    parser.add_argument("--gpus-per-task", type=int, default=0, metavar="G")
    parser.add_argument("--array-parallelism", type=int, default=256, metavar="A",
                        help="at most A tasks of the array run at once (default 256)")
    parser.add_argument("--report", type=Path, action="append", default=[],
                        help="further formats of the merged report (repeatable)")
    parser.add_argument("pytest_args", nargs="*", help="after --: pytest's arguments")
    args = parser.parse_args(argv)
    if args.shards < 1:
        parser.error(f"--shards {args.shards}: expected N >= 1")
    for path in args.report:
        if path.suffix not in WRITERS:
            parser.error(f"{path}: unknown format {path.suffix!r}; allowed: {', '.join(WRITERS)}")
    try:
        import submitit  # noqa: F401
    except ImportError:
        print(f"{PROG}: needs submitit: pip install 'phenomena[cluster]'", file=sys.stderr)
        return 2
    args.folder = args.folder.resolve()
    args.folder.mkdir(parents=True, exist_ok=True)
    problems = submit(args)
    merged = args.folder / "merged.json"
    try:
        rows = merge_files([shard_report(args.folder, k) for k in range(1, args.shards + 1)],
                           [merged, *args.report])
    except MergeRefused as refused:
        problems += refused.problems
    if problems:
        for problem in problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        print(f"{PROG}: run the same command again to resubmit only the unfinished shards",
              file=sys.stderr)
        return 2
    print(text_table(rows))
    print(f"merged report: {merged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
