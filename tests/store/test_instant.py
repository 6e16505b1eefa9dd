"""Every change of one transaction carries one instant; the next transaction takes its own."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.store.engine import session_scope
from dataskydd.store.instant import transaction_instant


def test_two_changes_of_one_transaction_are_stamped_alike(store_engine: Engine) -> None:
    with session_scope(store_engine, write=True) as session:
        first = transaction_instant(session)
        time.sleep(0.002)
        assert transaction_instant(session) == first
    with session_scope(store_engine, write=True) as session:
        assert transaction_instant(session) > first


def test_a_connection_commits_and_the_next_transaction_is_stamped_anew(
    store_engine: Engine,
) -> None:
    with store_engine.connect() as connection:
        with connection.begin():
            first = transaction_instant(connection)
            assert transaction_instant(connection) == first
        time.sleep(0.002)
        with connection.begin():
            assert transaction_instant(connection) > first


def test_the_set_clock_is_the_transactions_instant(store_engine: Engine) -> None:
    with clock.frozen_at("2027-03-01"), session_scope(store_engine) as session:
        assert transaction_instant(session) == clock.parse_instant("2027-03-01")
