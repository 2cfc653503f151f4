"""Claim results cached by a hash of everything they depend on, so re-running unchanged claims
costs nothing. The key covers the claim id, base seed, scale, device type, the factories in use
and the source code of the harness, of the claim's module and of any --arch factory's module.
Stored in pytest's cache directory; `--cache-clear` empties it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

HARNESS_DIR = Path(__file__).parent


@cache
def source_hash(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(set(paths)):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def harness_sources() -> tuple[Path, ...]:
    return tuple(sorted(p for p in HARNESS_DIR.rglob("*") if p.suffix in (".py", ".bib")))


def module_file(obj: Any) -> Path | None:
    try:
        return Path(inspect.getsourcefile(obj))
    except (TypeError, OSError):
        return None


class ClaimCache:
    """Outcomes keyed by configuration; a miss returns None."""

    def __init__(self, store: pytest.Cache):
        self.store = store

    def key(self, claim, settings) -> str:
        archs = settings.architectures
        files = [module_file(claim.experiment)] + [
            module_file(archs.factories[name][0]) for name, origin in archs.origins()
            if origin != "default"]
        config = {
            "claim": claim.id, "base_seed": settings.base_seed, "scale": settings.scale,
            "device": settings.device.type, "arch": archs.origins(),
            "code": source_hash(*harness_sources(), *[f for f in files if f is not None]),
        }
        return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:32]

    def get(self, key: str) -> dict[str, Any] | None:
        return self.store.get(f"phenomena/claims/{key}", None)

    def set(self, key: str, outcome: dict[str, Any]) -> None:
        self.store.set(f"phenomena/claims/{key}", outcome)
