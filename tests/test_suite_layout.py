"""The claim modules hold claims and their helpers only: a helper named like a test would be
collected as one and error for want of fixtures."""

import importlib.util
import inspect
from pathlib import Path

import pytest

MODULES = sorted((Path(__file__).parent.parent / "phenomena").glob("test_*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.stem)
def test_every_collectable_function_of_a_claim_module_is_a_claim(path):
    spec = importlib.util.spec_from_file_location(f"layout_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stray = [name for name, obj in inspect.getmembers(module, inspect.isfunction)
             if name.startswith("test") and not getattr(obj, "is_phenomena_claim", False)]
    assert not stray, f"{path.name}: {stray} would be collected as tests; rename them"
