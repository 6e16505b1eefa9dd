"""The admin console: signing in and out, CSRF, need-to-know per role, the steps of a request,
the findings and the audit trail of every look at a request's personal data."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from dataskydd import clock
from dataskydd.audit import log as audit_log
from dataskydd.auth import passwords, staff
from dataskydd.auth.staff import csrf_token
from dataskydd.cases import lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import Channel, RequestKind
from dataskydd.demo.estate import build
from dataskydd.demo.planted import ANNA
from dataskydd.jobs.queue import Jobs
from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import session_scope
from dataskydd.web.app import create_app
from dataskydd.web.site import Site

PASSWORD = "a long enough passphrase"
USERS = {
    "dana": ("Dana Dataskyddsombud", "dpo"),
    "hanna": ("Hanna Handläggare", "handler"),
    "hugo": ("Hugo Handläggare", "handler"),
    "erik": ("Erik Ingenjör", "engineer"),
    "alva": ("Alva Revisor", "auditor"),
}
PERSONNUMMER = "197805239824"
FAILED = staff.LOGIN_FAILED


# -- fixtures and helpers ----------------------------------------------------------------------


def make_app(tmp_path: Path, datamap: Path | None = None) -> FastAPI:
    settings = Settings(data_dir=tmp_path / "data", datamap=datamap, jobs_in_process=False)
    app = create_app(settings, load_template("swedish-lender"))
    with session_scope(site_of(app).engine, write=True) as session:
        for username, (name, role) in USERS.items():
            staff.create_user(session, username, name, role, PASSWORD, actor="test")
    return app


def site_of(app: FastAPI) -> Site:
    site: Site = app.state.site
    return site


@pytest.fixture(autouse=True)
def _quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap hashes: these tests are about the console, not about argon2's cost."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def console_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    monkeypatch.delenv("DATASKYDD_JOBS_URL", raising=False)
    app = make_app(tmp_path)
    yield app
    site_of(app).engine.dispose()


def login_form(client: TestClient) -> str:
    page = client.get("/console/login")
    assert page.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def sign_in(app: FastAPI, username: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    answer = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf": login_form(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: TestClient) -> str:
    return csrf_token(client.cookies["ds_session"])


def refusal(page: str) -> str:
    found = re.search(r'id="login-error">([^<]*)<', page)
    return found.group(1) if found else ""


def new_request(
    app: FastAPI,
    kind: RequestKind = RequestKind.RESTRICTION,
    *,
    assignee: str | None = None,
    personnummer: str = PERSONNUMMER,
    details: dict[str, Any] | None = None,
) -> str:
    """A request taken in by letter (as staff intake does); its reference."""
    with session_scope(site_of(app).engine, write=True) as session:
        done = submit(
            session,
            kind=kind,
            identities=[("personnummer", personnummer)],
            details=details or {"reason": "accuracy_contested"},
            channel=Channel.LETTER,
            received_by="dana",
        )
        if assignee:
            lifecycle.assign(session, done.id, to=assignee, by="dana")
    return done.reference


def status_of(app: FastAPI, reference: str) -> str:
    with session_scope(site_of(app).engine) as session:
        return session.scalars(
            select(RightsRequestRecord.status).where(RightsRequestRecord.reference == reference)
        ).one()


def audit_actions(app: FastAPI, action: str) -> list[audit_log.AuditEntry]:
    with session_scope(site_of(app).engine) as session:
        return [e for e in audit_log.entries(session) if e.action == action]


def step(client: TestClient, reference: str, name: str, **form: str) -> Any:
    return client.post(
        f"/console/requests/{reference}/{name}",
        data={"csrf": csrf_of(client), **form},
        follow_redirects=False,
    )


# -- signing in and out ------------------------------------------------------------------------


def test_signing_in_and_out(console_app: FastAPI) -> None:
    client = TestClient(console_app)
    first = client.get("/console/requests", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/console/login?next=/console/requests"

    token = login_form(client)
    answer = client.post(
        "/console/login",
        data={"username": "Dana", "password": PASSWORD, "csrf": token, "next": "/console/requests"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/console/requests"
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("ds_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http in the test; https sets it
    home = client.get("/console")
    assert home.status_code == 200 and "Dana Dataskyddsombud" in home.text
    assert home.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in home.headers["content-security-policy"]
    session_token = client.cookies["ds_session"]

    out = client.post("/console/logout", data={"csrf": csrf_of(client)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login?out=1"
    assert client.get("/console", follow_redirects=False).status_code == 303
    # The old token is worth nothing now, even if someone kept it.
    again = TestClient(console_app, cookies={"ds_session": session_token})
    assert again.get("/console", follow_redirects=False).status_code == 303
    assert [e.actor for e in audit_actions(console_app, "staff.logout")] == ["dana"]


def test_over_https_the_session_cookie_is_secure(console_app: FastAPI) -> None:
    client = TestClient(console_app, base_url="https://console.example")
    answer = client.post(
        "/console/login",
        data={"username": "dana", "password": PASSWORD, "csrf": login_form(client)},
        follow_redirects=False,
    )
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("ds_session=")
    )
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_a_login_never_goes_elsewhere_after_signing_in(console_app: FastAPI) -> None:
    client = TestClient(console_app)
    answer = client.post(
        "/console/login",
        data={
            "username": "dana",
            "password": PASSWORD,
            "csrf": login_form(client),
            "next": "//evil.example/console",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console"


def test_every_refused_login_says_the_same(console_app: FastAPI) -> None:
    client = TestClient(console_app)

    def attempt(username: str, password: str) -> str:
        answer = client.post(
            "/console/login",
            data={"username": username, "password": password, "csrf": login_form(client)},
            follow_redirects=False,
        )
        assert answer.status_code == 200 and "ds_session" not in answer.headers.get(
            "set-cookie", ""
        )
        return refusal(answer.text)

    messages = {attempt("nobody", PASSWORD), attempt("hanna", "wrong password!!")}
    for _ in range(staff.MAX_FAILURES - 1):
        messages.add(attempt("hanna", "wrong password!!"))
    messages.add(attempt("hanna", PASSWORD))  # the right password, but locked now
    with session_scope(site_of(console_app).engine, write=True) as session:
        staff.disable_user(session, "hugo", actor="test")
    messages.add(attempt("hugo", PASSWORD))
    assert messages == {FAILED}
    reasons = {e.details.get("reason") for e in audit_actions(console_app, "staff.login_failed")}
    assert reasons == {"unknown_user", "wrong_password", "locked", "disabled"}


def test_the_login_form_needs_its_own_token(console_app: FastAPI) -> None:
    client = TestClient(console_app)
    answer = client.post(
        "/console/login", data={"username": "dana", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 403 and "ds_session=" not in answer.headers.get("set-cookie", "")
    assert not audit_actions(console_app, "staff.login")


def test_a_post_without_the_csrf_token_is_refused(console_app: FastAPI) -> None:
    reference = new_request(console_app, assignee="hanna")
    dana = sign_in(console_app, "dana")
    other = sign_in(console_app, "dana")  # a second session: its token is not this one's
    for form in ({"note": "checked ID"}, {"note": "checked ID", "csrf": "x" * 64},
                 {"note": "checked ID", "csrf": csrf_of(other)}):
        answer = dana.post(f"/console/requests/{reference}/verify", data=form)
        assert answer.status_code == 403, form
    assert status_of(console_app, reference) == "received"
    assert dana.post("/console/logout", data={}).status_code == 403
    assert dana.get("/console").status_code == 200  # still signed in
    assert dana.post("/console/audit/verify", data={}).status_code == 403
    assert dana.post("/console/users", data={"username": "x"}).status_code == 403


# -- who sees what -----------------------------------------------------------------------------


def test_a_handler_sees_only_the_requests_assigned_to_them(console_app: FastAPI) -> None:
    mine = new_request(console_app, assignee="hanna")
    theirs = new_request(console_app, assignee="hugo", personnummer="196109149853")
    nobodys = new_request(console_app, RequestKind.ACCESS)
    hanna = sign_in(console_app, "hanna")
    listed = hanna.get("/console/requests")
    assert listed.status_code == 200
    assert f'id="request-{mine}"' in listed.text
    assert theirs not in listed.text and nobodys not in listed.text
    assert hanna.get(f"/console/requests/{mine}").status_code == 200
    for reference in (theirs, nobodys):
        page = hanna.get(f"/console/requests/{reference}")
        assert page.status_code == 403 and "196109149853" not in page.text
        assert hanna.get(f"/console/requests/{reference}/findings").status_code == 403
        assert step(hanna, reference, "verify", note="passport").status_code == 403
    assert status_of(console_app, theirs) == "received"
    assert step(hanna, mine, "assign", to="hanna").status_code == 403  # the DPO assigns
    for page in ("/console/users", "/console/audit", "/console/datamap", "/console/register"):
        assert hanna.get(page).status_code == 403, page


def test_an_engineer_sees_the_data_map_but_no_request(tmp_path: Path) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / "estate", persons=30)
    app = make_app(tmp_path, datamap=estate.datamap_dir)
    reference = new_request(app, assignee="hanna")
    erik = sign_in(app, "erik")
    datamap = erik.get("/console/datamap")
    assert datamap.status_code == 200
    assert 'id="system-core"' in datamap.text and "identification.national_id" in datamap.text
    assert "personnummer" in datamap.text and ANNA.email not in datamap.text
    for page in ("/console/requests", f"/console/requests/{reference}",
                 f"/console/requests/{reference}/findings", "/console/audit", "/console/users",
                 "/console/register"):
        answer = erik.get(page)
        assert answer.status_code == 403, page
        assert PERSONNUMMER not in answer.text and 'id="console-refusal"' in answer.text
    assert step(erik, reference, "approve").status_code == 403
    assert not audit_actions(app, "staff.viewed_request")


def test_an_auditor_reads_and_verifies_the_log_but_sees_no_request(console_app: FastAPI) -> None:
    reference = new_request(console_app, assignee="hanna")
    alva = sign_in(console_app, "alva")
    log_page = alva.get("/console/audit")
    assert log_page.status_code == 200 and "request.received" in log_page.text
    assert "staff.login" in log_page.text
    checked = alva.post("/console/audit/verify", data={"csrf": csrf_of(alva)})
    assert checked.status_code == 200
    with session_scope(site_of(console_app).engine) as session:
        head = audit_log.head(session)
    assert head is not None
    assert "The chain is intact" in checked.text and head.hash in checked.text
    assert alva.get("/console/register").status_code == 200
    for page in ("/console/requests", f"/console/requests/{reference}", "/console/datamap",
                 "/console/users"):
        assert alva.get(page).status_code == 403, page


def test_the_audit_log_is_paginated_newest_first(console_app: FastAPI) -> None:
    with session_scope(site_of(console_app).engine, write=True) as session:
        for number in range(120):
            audit_log.append(session, "test", "test.entry", {"n": number})
    dana = sign_in(console_app, "dana")
    first = dana.get("/console/audit")
    seqs = [int(s) for s in re.findall(r'id="entry-(\d+)"', first.text)]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    second = dana.get("/console/audit?page=2")
    assert re.findall(r'id="entry-(\d+)"', second.text)[0] == str(seqs[-1] - 1)
    assert 'id="audit-older"' in first.text and 'id="audit-newer"' in second.text


def test_the_dpo_sees_everything(console_app: FastAPI) -> None:
    reference = new_request(console_app)
    dana = sign_in(console_app, "dana")
    for page in ("/console", "/console/requests", f"/console/requests/{reference}",
                 f"/console/requests/{reference}/findings", "/console/register",
                 "/console/datamap", "/console/audit", "/console/users"):
        assert dana.get(page).status_code == 200, page
    assert 'id="assign-to"' in dana.get(f"/console/requests/{reference}").text
    register = dana.get("/console/register")
    assert "<table>" in register.text and "style=" not in register.text
    printable = dana.get("/console/register/printable?lang=en")
    assert printable.headers["content-disposition"].startswith("attachment")
    assert "<style>" in printable.text and "<colgroup>" in printable.text


# -- the steps of a request ------------------------------------------------------------------


def test_a_request_is_verified_assessed_and_approved_then_queued(console_app: FastAPI) -> None:
    reference = new_request(console_app)
    dana = sign_in(console_app, "dana")
    assigned = step(dana, reference, "assign", to="hanna")
    assert assigned.status_code == 303
    assert step(dana, reference, "assign", to="erik").status_code == 422  # not a handler

    hanna = sign_in(console_app, "hanna")
    assert f'id="request-{reference}"' in hanna.get("/console/requests").text
    # Steps out of order are refused with the reason, and change nothing.
    early = step(hanna, reference, "approve", note="too soon")
    assert early.status_code == 409 and "cannot be approved now" in early.text
    unverified = step(hanna, reference, "verify", note="")
    assert unverified.status_code == 409 and "note" in unverified.text
    assert step(hanna, reference, "verify", note="passport checked at the desk").status_code == 303
    assert step(hanna, reference, "assess", note="restriction applies").status_code == 303
    approved = step(hanna, reference, "approve", note="approved after review")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"/console/requests/{reference}?done=approved"
    assert status_of(console_app, reference) == "decided"

    page = hanna.get(approved.headers["location"])
    assert 'id="request-status">decided<' in page.text and 'id="console-message"' in page.text
    assert "approved after review" in page.text  # the sealed decision note, opened
    for event in ("verified", "assessed", "decided"):
        assert f"<td>{event}</td>" in page.text
    decided = audit_actions(console_app, "request.decided")
    assert [e.actor for e in decided] == ["hanna"]
    jobs: Jobs = console_app.state.console_jobs
    assert jobs.huey.pending_count() == 1


def test_a_failed_enqueue_is_logged_and_the_approval_stands(
    console_app: FastAPI, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reference = new_request(console_app, assignee="hanna")
    with session_scope(site_of(console_app).engine, write=True) as session:
        request_id = session.scalars(
            select(RightsRequestRecord.id).where(RightsRequestRecord.reference == reference)
        ).one()
        lifecycle.verify(session, request_id, method="staff", by="hanna", note="passport")
        lifecycle.assess(session, request_id, by="hanna")

    def broken(self: Jobs, request_id: str) -> None:
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(Jobs, "enqueue", broken)
    hanna = sign_in(console_app, "hanna")
    with caplog.at_level(logging.WARNING, logger="dataskydd.web.console"):
        answer = step(hanna, reference, "approve")
    assert answer.status_code == 303 and status_of(console_app, reference) == "decided"
    assert "reconciler" in caplog.text and "ConnectionError" in caplog.text


def test_deny_extend_and_withdraw(console_app: FastAPI) -> None:
    denied, extended, withdrawn = (
        new_request(console_app, assignee="hanna", personnummer=number)
        for number in (PERSONNUMMER, "196109149853", "199001012385")
    )
    hanna = sign_in(console_app, "hanna")
    assert step(hanna, denied, "deny", reason="").status_code == 409
    assert step(hanna, denied, "deny", reason="manifestly unfounded").status_code == 303
    assert status_of(console_app, denied) == "denied"
    page = hanna.get(f"/console/requests/{denied}")
    assert "manifestly unfounded" in page.text and 'id="verify-form"' not in page.text

    assert step(hanna, extended, "extend", months="3", reason="complex").status_code == 422
    answer = step(hanna, extended, "extend", months="2", reason="many systems to search")
    assert answer.status_code == 303 and "&due=" in answer.headers["location"]
    page = hanna.get(answer.headers["location"])
    assert "Extended to" in page.text and 'id="extend-form"' not in page.text
    assert step(hanna, extended, "extend", months="1", reason="again").status_code == 409

    assert step(hanna, withdrawn, "withdraw").status_code == 303
    assert status_of(console_app, withdrawn) == "withdrawn"
    assert withdrawn not in hanna.get("/console/requests").text  # closed: not in the list


def test_overdue_requests_are_marked(console_app: FastAPI) -> None:
    with clock.frozen_at(clock.now() - timedelta(days=70)):
        late = new_request(console_app, assignee="hanna")
    fresh = new_request(console_app, assignee="hanna", personnummer="196109149853")
    page = sign_in(console_app, "hanna").get("/console/requests").text
    assert re.search(rf'id="request-{late}"[^>]*class="overdue"', page)
    assert not re.search(rf'id="request-{fresh}"[^>]*class="overdue"', page)
    assert page.index(late) < page.index(fresh)  # sorted by due date
    assert "overdue by" in page


# -- personal data: shown only to who may see it, and every look audited ----------------------


def test_every_view_of_a_requests_personal_data_is_audited(console_app: FastAPI) -> None:
    reference = new_request(console_app, assignee="hanna")
    hanna = sign_in(console_app, "hanna")
    hanna.get("/console/requests")  # the list holds no personal data: not a view
    assert not audit_actions(console_app, "staff.viewed_request")
    first = hanna.get(f"/console/requests/{reference}")
    assert PERSONNUMMER in first.text
    hanna.get(f"/console/requests/{reference}")
    sign_in(console_app, "dana").get(f"/console/requests/{reference}")
    viewed = audit_actions(console_app, "staff.viewed_request")
    assert [e.actor for e in viewed] == ["hanna", "hanna", "dana"]
    assert all(e.subject_ref is None or PERSONNUMMER not in e.subject_ref for e in viewed)
    assert all(PERSONNUMMER not in str(e.details) for e in viewed)
    assert {e.details["view"] for e in viewed} == {"detail"}
    # A refused look is not a look: nothing opened, nothing recorded.
    sign_in(console_app, "hugo").get(f"/console/requests/{reference}")
    assert len(audit_actions(console_app, "staff.viewed_request")) == 3


def test_findings_show_rows_and_the_erasure_plan_and_are_audited(tmp_path: Path) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / "estate", persons=30)
    app = make_app(tmp_path, datamap=estate.datamap_dir)
    access = new_request(
        app, RequestKind.ACCESS, assignee="hanna", personnummer=ANNA.personnummer, details={}
    )
    erasure = new_request(
        app,
        RequestKind.ERASURE,
        assignee="hanna",
        personnummer=ANNA.personnummer,
        details={"grounds": ["consent_withdrawn"]},
    )
    hanna = sign_in(app, "hanna")
    unverified = hanna.get(f"/console/requests/{access}/findings")
    assert unverified.status_code == 200 and 'id="findings-problem"' in unverified.text
    assert not audit_actions(app, "staff.viewed_request")  # nothing was read
    for reference in (access, erasure):
        assert step(hanna, reference, "verify", note="BankID on the phone").status_code == 303

    found = hanna.get(f"/console/requests/{access}/findings")
    assert found.status_code == 200, found.text
    assert "core/customers/" in found.text and "identification.national_id" in found.text
    assert ANNA.email not in found.text  # the values only when asked for
    with_values = hanna.get(f"/console/requests/{access}/findings?values=1")
    assert ANNA.email in with_values.text

    plan = hanna.get(f"/console/requests/{erasure}/findings")
    assert 'id="erasure-plan"' in plan.text and "action-keep" in plan.text
    assert re.search(r"until \d{4}-\d{2}-\d{2}", plan.text)

    views = [e.details["view"] for e in audit_actions(app, "staff.viewed_request")]
    assert views == ["findings", "findings_with_values", "findings"]
    site_of(app).engine.dispose()


def test_findings_say_when_there_is_no_data_map(console_app: FastAPI) -> None:
    reference = new_request(console_app, RequestKind.ACCESS, assignee="hanna", details={})
    hanna = sign_in(console_app, "hanna")
    assert step(hanna, reference, "verify", note="passport").status_code == 303
    page = hanna.get(f"/console/requests/{reference}/findings")
    assert page.status_code == 200 and "No data map is configured" in page.text


# -- staff accounts ------------------------------------------------------------------------------


def test_the_dpo_creates_and_disables_accounts(console_app: FastAPI) -> None:
    dana = sign_in(console_app, "dana")
    form = {"username": "nora", "display_name": "Nora Ny", "role": "handler"}
    short = dana.post(
        "/console/users", data={**form, "password": "short pw", "csrf": csrf_of(dana)}
    )
    assert short.status_code == 422 and "12 characters" in short.text
    assert "short pw" not in short.text
    made = dana.post(
        "/console/users",
        data={**form, "password": "nora's first password", "csrf": csrf_of(dana)},
        follow_redirects=False,
    )
    assert made.status_code == 303
    assert 'id="user-nora"' in dana.get(made.headers["location"]).text
    nora = sign_in(console_app, "nora", "nora's first password")
    assert nora.get("/console/requests").status_code == 200

    disabled = dana.post(
        "/console/users/nora/disable", data={"csrf": csrf_of(dana)}, follow_redirects=False
    )
    assert disabled.status_code == 303
    assert nora.get("/console", follow_redirects=False).status_code == 303  # its session ended
    self_disable = dana.post("/console/users/dana/disable", data={"csrf": csrf_of(dana)})
    assert self_disable.status_code == 409
    missing = dana.post("/console/users/nobody/disable", data={"csrf": csrf_of(dana)})
    assert missing.status_code == 404


def test_a_handler_withholds_an_item_from_the_findings_page(tmp_path: Path) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / "estate", persons=30)
    app = make_app(tmp_path, datamap=estate.datamap_dir)
    access = new_request(
        app, RequestKind.ACCESS, assignee="hanna", personnummer=ANNA.personnummer, details={}
    )
    hanna = sign_in(app, "hanna")
    assert step(hanna, access, "verify", note="BankID on the phone").status_code == 303
    found = hanna.get(f"/console/requests/{access}/findings")
    ref = re.findall(r'name="ref" value="([^"]+)"', found.text)[0]
    refused = step(hanna, access, "withhold", ref=ref, reason="whim", note="x")
    assert refused.status_code == 409 and "reason" in refused.text
    done = step(hanna, access, "withhold", ref=ref, reason="trade_secret", note="Kalkylmodell")
    assert done.status_code == 303
    again = hanna.get(f"/console/requests/{access}/findings")
    assert "Withheld: trade_secret" in again.text
    assert [e.details["reason"] for e in audit_actions(app, "request.item_withheld")] == [
        "trade_secret"
    ]
    site_of(app).engine.dispose()
