"""Optional packages: a claim that needs a field's own package skips, with the install command,
when the package's extra is not installed."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def require(module: str, extra: str) -> ModuleType:
    """Import `module`, or skip the calling claim: `sklearn = require("sklearn", "data")`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.skip(f"needs {module}: pip install 'phenomena[{extra}]'")
