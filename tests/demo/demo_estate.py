"""A demo estate built on a fixed day, and a way to read it back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dataskydd import clock
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.systems import system

BUILD_DAY = "2026-11-26"  # a fixed day: the estate's history ends on the day it is built


@dataclass(frozen=True)
class Built:
    estate: Estate
    data_dir: Path

    def rows(self, system_key: str, table: str) -> list[dict[str, Any]]:
        """Every row of a table, in primary key order."""
        metadata_table = system(system_key).metadata.tables[table]
        engine = sa.create_engine(self.estate.urls[system_key])
        try:
            with engine.connect() as connection:
                query = sa.select(metadata_table).order_by(*metadata_table.primary_key.columns)
                return [dict(row._mapping) for row in connection.execute(query)]
        finally:
            engine.dispose()

    def counts(self) -> dict[str, int]:
        """Rows per ``system.table``, counted in the databases."""
        counts: dict[str, int] = {}
        for key, url in self.estate.urls.items():
            engine = sa.create_engine(url)
            try:
                with engine.connect() as connection:
                    for table in system(key).tables:
                        query = sa.select(sa.func.count()).select_from(table)
                        counts[f"{key}.{table.name}"] = int(connection.execute(query).scalar_one())
            finally:
                engine.dispose()
        return counts


def build_on_day(
    data_dir: Path,
    *,
    persons: int,
    seed: int = 1,
    urls: Mapping[str, str | None] | None = None,
    rebuild: bool = False,
) -> Built:
    with clock.frozen_at(BUILD_DAY):
        return Built(
            build(data_dir, persons=persons, seed=seed, urls=urls, rebuild=rebuild), data_dir
        )
