"""The shared planner benchmark (generator and independent scorer) beside the repository."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

PLANNER_DIR = Path(
    os.environ.get("UNKONF_PLANNER_DIR")
    or Path(__file__).resolve().parents[4] / "shared" / "planner"
)


def load(name: str) -> ModuleType:
    """gen_instance or evaluate, imported by path; skips the test when they are missing."""
    path = PLANNER_DIR / f"{name}.py"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared planner benchmark is not beside the repo")
    spec = importlib.util.spec_from_file_location(f"shared_planner_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
