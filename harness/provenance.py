"""Where a claim ran, measured by the process that ran it (an xdist worker, a shard's machine):
after shards from several machines are merged, each row still says where its numbers came from.
"""

from __future__ import annotations

import platform
import socket
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import torch

from harness.cache import harness_sources, source_hash

SUITE_ROOT = Path(__file__).resolve().parent.parent


@cache
def cpu_model() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo, else what the platform says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def device_name(device: torch.device) -> str:
    """The GPU's name for a CUDA device, else the CPU's model."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return cpu_model()


@cache
def git_commit(root: Path = SUITE_ROOT) -> str | None:
    """The checkout's commit, '+dirty' when tracked files differ from it; None outside a
    checkout or without git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def provenance(device: torch.device) -> dict[str, Any]:
    """host, device, torch, commit and the harness hash the claim cache keys on."""
    return {
        "host": socket.gethostname(),
        "device": f"{device} ({device_name(device)})",
        "torch": str(torch.__version__),  # a TorchVersion does not cross to the controller
        "commit": git_commit(),
        "harness_hash": source_hash(*harness_sources())[:16],
    }
