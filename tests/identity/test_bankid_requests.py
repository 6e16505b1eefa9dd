"""A rights request verified by BankID: the personnummer BankID proves is what is resolved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bankid_double import BankIdDouble
from sqlalchemy import Engine

from dataskydd.cases import lifecycle, verification
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CaseError, RequestKind, Status
from dataskydd.cases.sealed import open_request
from dataskydd.identity.kinds import IdentityKind
from dataskydd.identity.verification.bankid import BankIdClient
from dataskydd.identity.verification.bankid import Status as OrderStatus
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade

ANNA = "19780523-9824"
OTHER = "19121212-1212"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def double() -> Iterator[BankIdDouble]:
    with BankIdDouble() as running:
        yield running


def _request(engine: Engine, identities: list[tuple[str, str]]) -> str:
    with session_scope(engine, write=True) as session:
        return submit(session, kind=RequestKind.ACCESS, identities=identities).id


def _start(engine: Engine, client: BankIdClient, request_id: str) -> str:
    with session_scope(engine) as session:
        order = verification.start_bankid(client, lifecycle.load(session, request_id), "127.0.0.1")
    return order.order_ref


def test_the_person_named_signs_and_the_request_is_verified_by_the_proven_number(
    engine: Engine, double: BankIdDouble
) -> None:
    request_id = _request(engine, [("personnummer", ANNA), ("email", "anna@example.se")])
    with BankIdClient(double.base_url) as client:
        order_ref = _start(engine, client, request_id)
        assert double.received[-1][1]["requirement"]["personalNumber"] == "197805239824"
        with session_scope(engine, write=True) as session:
            pending = verification.collect_bankid(
                session, client, lifecycle.load(session, request_id), order_ref
            )
        assert pending.status is OrderStatus.PENDING
        double.user_signs(order_ref, "197805239824", "Anna Lindqvist")
        with session_scope(engine, write=True) as session:
            verification.collect_bankid(
                session, client, lifecycle.load(session, request_id), order_ref
            )
    with session_scope(engine) as session:
        row = lifecycle.load(session, request_id)
        assert row.status == Status.VERIFIED and row.verification_method == "bankid"
        assert open_request(row).identities == [(IdentityKind.PERSONNUMMER, "197805239824")]


def test_someone_else_completing_the_order_does_not_verify(
    engine: Engine, double: BankIdDouble
) -> None:
    request_id = _request(engine, [("personnummer", ANNA)])
    with BankIdClient(double.base_url) as client:
        # The order we start is bound to Anna; one started elsewhere, unbound, is not hers.
        order_ref = client.auth("127.0.0.1").order_ref
        double.user_signs(order_ref, OTHER.replace("-", ""), "Tolvan Tolvansson")
        with (
            session_scope(engine, write=True) as session,
            pytest.raises(CaseError, match="another"),
        ):
            verification.collect_bankid(
                session, client, lifecycle.load(session, request_id), order_ref
            )
    with session_scope(engine) as session:
        assert lifecycle.load(session, request_id).status == Status.RECEIVED


def test_a_request_given_only_an_email_gets_the_personnummer_bankid_proves(
    engine: Engine, double: BankIdDouble
) -> None:
    request_id = _request(engine, [("email", "anna@example.se")])
    with BankIdClient(double.base_url) as client:
        order_ref = _start(engine, client, request_id)
        assert "requirement" not in double.received[-1][1]
        double.user_signs(order_ref, "197805239824", "Anna Lindqvist")
        with session_scope(engine, write=True) as session:
            verification.collect_bankid(
                session, client, lifecycle.load(session, request_id), order_ref
            )
    with session_scope(engine) as session:
        opened = open_request(lifecycle.load(session, request_id))
    assert opened.identities == [(IdentityKind.PERSONNUMMER, "197805239824")]
    assert opened.payload["unverified_identities"] == [["email", "anna@example.se"]]
