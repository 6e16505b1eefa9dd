"""Fixtures for the rights tests: the small real estate of small_estate.py, opened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from small_estate import CORE, WEBSITE, build_estate, datamap_for

from dataskydd.rights.service import Estate, open_estate


@pytest.fixture()
def estate_files(tmp_path: Path) -> Path:
    return build_estate(tmp_path)


@pytest.fixture()
def estate(estate_files: Path) -> Iterator[Estate]:
    with open_estate(datamap_for(estate_files, CORE, WEBSITE)) as opened:
        yield opened
