"""A small demo estate, built once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from demo_estate import Built, build_on_day


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """An estate of 1,000 persons on SQLite."""
    yield build_on_day(tmp_path_factory.mktemp("estate"), persons=1_000)
