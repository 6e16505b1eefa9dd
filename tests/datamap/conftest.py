"""A copy of the fixture data map that each test may break in its own way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dataskydd.programme import Programme, load_template

FIXTURE = Path(__file__).parent.parent / "fixtures" / "datamap"


@pytest.fixture
def programme() -> Programme:
    return load_template()


@pytest.fixture
def datamap_dir(tmp_path: Path) -> Path:
    """The fixture data map (core + paper-archive), copied so a test can edit it."""
    target = tmp_path / "datamap"
    shutil.copytree(FIXTURE, target)
    return target
