"""One clock: every part reads "now" from one place that tests, demos and operators set."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dataskydd import clock


def test_an_unset_clock_follows_real_time() -> None:
    clock.set_now(None)
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)
    assert not clock.is_fixed()


def test_a_date_means_midnight_in_stockholm() -> None:
    with clock.frozen_at("2027-01-01"):
        assert clock.now() == datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
        assert clock.today() == date(2027, 1, 1)


def test_summer_time_is_respected() -> None:
    with clock.frozen_at("2027-07-01"):
        assert clock.now() == datetime(2027, 6, 30, 22, 0, tzinfo=UTC)


def test_frozen_at_restores_what_was_there() -> None:
    clock.set_now("2030-05-05")
    with clock.frozen_at("2027-01-01"):
        assert clock.today() == date(2027, 1, 1)
    assert clock.today() == date(2030, 5, 5)
    clock.set_now(None)


def test_the_environment_sets_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATASKYDD_NOW", "2028-02-29T10:15")
    clock.configure_from_environment()
    assert clock.now() == datetime(2028, 2, 29, 9, 15, tzinfo=UTC)
    clock.set_now(None)


def test_a_wrong_date_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"write e\.g\. 2027-01-01"):
        clock.set_now("1 January 2027")
