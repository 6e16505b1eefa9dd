"""Fixtures for the programme tests: generated programmes of any size."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SYNTHETIC = Path(__file__).resolve().parents[2] / "benchmarks" / "synthetic.py"


@pytest.fixture(scope="session")
def synthetic() -> ModuleType:
    """The benchmarks' programme generator: ``generate(n)`` and ``write_programme(dir, n)``."""
    spec = importlib.util.spec_from_file_location("synthetic", SYNTHETIC)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
