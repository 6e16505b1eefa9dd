"""A handler keeps an item out of an access answer, with a reason; the person never gets it."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dataskydd import clock
from dataskydd.cases import answers, execution, lifecycle, withholding
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import CaseError, RequestKind
from dataskydd.cases.sealed import open_request
from dataskydd.datamap.loader import read_datamap
from dataskydd.demo.estate import Estate, build
from dataskydd.demo.planted import ANNA
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme, load_template
from dataskydd.rights.access import build_answer
from dataskydd.rights.service import find_person, open_estate
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade

HANDLER = "Maria Handläggare"


@pytest.fixture
def estate(tmp_path: Path) -> Estate:
    with clock.frozen_at("2026-11-26"):
        return build(tmp_path / "estate", persons=200)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def programme() -> Programme:
    return load_template("swedish-lender")


def _verified(store: Engine, kind: RequestKind = RequestKind.ACCESS) -> str:
    with session_scope(store, write=True) as session:
        done = submit(session, kind=kind, identities=[("personnummer", ANNA.personnummer)])
        lifecycle.verify(session, done.id, method="staff", by=HANDLER, note="ID-kort visat")
    return done.id


def _a_reviewed_item(estate: Estate, programme: Programme) -> str:
    loaded = read_datamap(estate.datamap_dir, programme)
    with open_estate(loaded.datamap, loaded.directory) as opened:
        answer = build_answer(
            find_person(opened, [(IdentityKind.PERSONNUMMER, ANNA.personnummer)]),
            loaded.datamap,
            programme,
        )
    return next(item.ref for item in answer.items if item.needs_review)


def test_a_withheld_item_is_not_in_the_answer_and_the_reason_is_kept(
    store: Engine, estate: Estate, programme: Programme
) -> None:
    request_id = _verified(store)
    ref = _a_reviewed_item(estate, programme)
    with session_scope(store, write=True) as session:
        row = withholding.withhold(
            session,
            request_id,
            ref=ref,
            reason="other_person",
            note="Grannens meddelande",
            by=HANDLER,
        )
        assert ref not in (row.withheld or "") and "Grannens" not in (row.withheld or "")
        assert open_request(row).withheld[0]["reason"] == "other_person"
        lifecycle.assess(session, request_id, by=HANDLER)
        lifecycle.approve(session, request_id, by=HANDLER)
    execution.execute(
        store, request_id, worker="w", programme=programme, datamap_dir=estate.datamap_dir
    )
    with session_scope(store, write=True) as session:
        token = answers.issue_link(session, lifecycle.load(session, request_id))
    with session_scope(store, write=True) as session:
        package = answers.download(session, token).content
    given = json.loads(zipfile.ZipFile(io.BytesIO(package)).read("answer.json"))
    assert ref not in json.dumps(given)


def test_withholding_needs_a_known_reason_a_note_and_an_undecided_access_request(
    store: Engine,
) -> None:
    request_id = _verified(store)
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="reason"):
        withholding.withhold(session, request_id, ref="a/b/1", reason="whim", note="x", by=HANDLER)
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="note"):
        withholding.withhold(
            session, request_id, ref="a/b/1", reason="trade_secret", note=" ", by=HANDLER
        )
    with session_scope(store, write=True) as session:
        lifecycle.assess(session, request_id, by=HANDLER)
        lifecycle.approve(session, request_id, by=HANDLER)
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="before"):
        withholding.withhold(
            session, request_id, ref="a/b/1", reason="trade_secret", note="x", by=HANDLER
        )
    erasure = _verified(store, RequestKind.ERASURE)
    with session_scope(store, write=True) as session, pytest.raises(CaseError, match="only access"):
        withholding.withhold(
            session, erasure, ref="a/b/1", reason="trade_secret", note="x", by=HANDLER
        )
