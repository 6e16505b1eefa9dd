"""The same seed gives the same estate; building over an estate never destroys it by surprise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from demo_estate import Built, build_on_day

from dataskydd.demo.estate import EstateExists
from dataskydd.demo.systems import SYSTEMS
from dataskydd.demo.world import World


def everything(built: Built) -> dict[str, list[dict[str, object]]]:
    return {f"{s.key}.{t.name}": built.rows(s.key, t.name) for s in SYSTEMS for t in s.tables}


def test_the_same_seed_gives_the_same_estate(tmp_path: Path) -> None:
    first = build_on_day(tmp_path / "a", persons=300, seed=7)
    second = build_on_day(tmp_path / "b", persons=300, seed=7)
    assert everything(first) == everything(second)


def test_another_seed_gives_other_people_but_the_same_planted_ones(tmp_path: Path) -> None:
    one = build_on_day(tmp_path / "a", persons=300, seed=1)
    two = build_on_day(tmp_path / "b", persons=300, seed=2)
    assert one.rows("core", "customers") != two.rows("core", "customers")
    assert one.estate.planted == two.estate.planted


def test_the_planted_people_open_every_estate_whatever_its_size() -> None:
    small = World(10, 1, date(2026, 11, 26))
    large = World(50_000, 9, date(2026, 11, 26))
    next(small.batches())
    next(large.batches())
    assert small.planted == large.planted


def test_building_the_same_estate_again_changes_nothing(tmp_path: Path) -> None:
    first = build_on_day(tmp_path, persons=200)
    before = everything(first)
    again = build_on_day(tmp_path, persons=200)
    assert first.estate.built and not again.estate.built
    assert again.estate.planted == first.estate.planted
    assert everything(again) == before


def test_another_estate_over_an_existing_one_needs_rebuild(tmp_path: Path) -> None:
    build_on_day(tmp_path, persons=200)
    with pytest.raises(EstateExists, match="--rebuild"):
        build_on_day(tmp_path, persons=300)
    with pytest.raises(EstateExists, match="200 persons, seed 1"):
        build_on_day(tmp_path, persons=200, seed=2)
    rebuilt = build_on_day(tmp_path, persons=300, rebuild=True)
    assert rebuilt.estate.built
    assert len(rebuilt.rows("core", "customers")) > len(
        build_on_day(tmp_path / "small", persons=200).rows("core", "customers")
    )


def test_a_size_outside_the_range_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="10 to 5,000,000 persons"):
        build_on_day(tmp_path, persons=5)
    assert not tmp_path.joinpath("estate").exists()
