"""Every route of the whole app, asked by every role and by nobody.

The console's routes must need a session (nobody is sent to the login page, or refused, and
never shown a page), refuse the roles the table below does not name with 403, refuse a form
without its CSRF token with 403; and no route, the console's or any other, may answer 5xx to
anyone. A console route missing from the table fails the test: a new page states who may
see it before it ships.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dataskydd.auth import passwords, staff
from dataskydd.auth.staff import StaffUser, csrf_token
from dataskydd.cases import lifecycle
from dataskydd.cases.intake import submit
from dataskydd.cases.kinds import Channel, RequestKind
from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.store.engine import session_scope
from dataskydd.web.app import create_app
from dataskydd.web.site import Site

ROLES = ("dpo", "handler", "engineer", "auditor")
PUBLIC = frozenset({"(anyone)"})
SIGNED_IN = frozenset(ROLES)
CASES = frozenset({"dpo", "handler"})
DPO = frozenset({"dpo"})
AUDIT = frozenset({"dpo", "auditor"})

# Who may use each console route. Nothing is inherited: each line is the whole answer.
CONSOLE: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("GET", "/console"): SIGNED_IN,
    ("POST", "/console/logout"): SIGNED_IN,
    ("GET", "/console/requests"): CASES,
    ("GET", "/console/requests/{reference}"): CASES,
    ("GET", "/console/requests/{reference}/findings"): CASES,
    ("POST", "/console/requests/{reference}/verify"): CASES,
    ("POST", "/console/requests/{reference}/assess"): CASES,
    ("POST", "/console/requests/{reference}/approve"): CASES,
    ("POST", "/console/requests/{reference}/deny"): CASES,
    ("POST", "/console/requests/{reference}/extend"): CASES,
    ("POST", "/console/requests/{reference}/withdraw"): CASES,
    ("POST", "/console/requests/{reference}/withhold"): CASES,
    ("POST", "/console/requests/{reference}/assign"): DPO,
    ("GET", "/console/register"): AUDIT,
    ("GET", "/console/register/printable"): AUDIT,
    ("GET", "/console/datamap"): frozenset({"dpo", "engineer"}),
    ("GET", "/console/audit"): AUDIT,
    ("POST", "/console/audit/verify"): AUDIT,
    ("GET", "/console/users"): DPO,
    ("POST", "/console/users"): DPO,
    ("POST", "/console/users/{username}/disable"): DPO,
}

# Sample values for path parameters; a parameter not named here gets "sample".
SAMPLES = {"lang": "sv", "version": "1", "a": "1", "b": "1", "token": "sample-token"}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as declared, e.g. /console/requests/{reference}

    @property
    def console(self) -> bool:
        return self.path == "/console" or self.path.startswith("/console/")


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every method of every route in ``app.routes`` (routers included), HEAD left out."""
    try:  # FastAPI 0.16x includes routers lazily: walk through them
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: app.routes is already flat
        routes = list(app.routes)
    found = {
        Endpoint(method, route.path)
        for route in routes
        if getattr(route, "methods", None) and route.path
        for method in route.methods
        if method != "HEAD"
    }
    return sorted(found, key=lambda e: (e.path, e.method))


@pytest.fixture(autouse=True)
def _quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap hashes: this test is about who may do what, not about argon2's cost."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@dataclass
class World:
    app: FastAPI
    users: dict[str, StaffUser]
    values: dict[str, str]

    @property
    def site(self) -> Site:
        site: Site = self.app.state.site
        return site

    def token(self, role: str) -> str:
        """A fresh session for ``role`` (a sign-out on one route leaves the next unharmed)."""
        with session_scope(self.site.engine, write=True) as session:
            return staff.start_session(session, self.users[role])

    def path(self, endpoint: Endpoint) -> str:
        return PARAMETER.sub(
            lambda m: self.values.get(m.group(1), SAMPLES.get(m.group(1), "sample")),
            endpoint.path,
        )


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path / "data", jobs_in_process=False)
    app = create_app(settings, load_template("swedish-lender"))
    site: Site = app.state.site
    users = {}
    with session_scope(site.engine, write=True) as session:
        for role in ROLES:
            users[role] = staff.create_user(
                session, f"the-{role}", role.title(), role, "a long enough passphrase", actor="t"
            )
        staff.create_user(session, "spare", "Spare", "handler", "another passphrase", actor="t")
        # A request the handler is assigned to, so that their pages show it.
        done = submit(
            session,
            kind=RequestKind.ACCESS,
            identities=[("personnummer", "197805239824")],
            channel=Channel.LETTER,
            received_by="the-dpo",
        )
        lifecycle.assign(session, done.id, to="the-handler", by="the-dpo")
    yield World(app, users, {"reference": done.reference, "username": "spare"})
    site.engine.dispose()


def ask(
    client: TestClient, world: World, endpoint: Endpoint, token: str | None, *, csrf: bool
) -> Any:
    headers = {"Cookie": f"ds_session={token}"} if token else {}
    data = {"csrf": csrf_token(token)} if token and csrf else {}
    if endpoint.method == "GET":
        return client.get(world.path(endpoint), headers=headers, follow_redirects=False)
    return client.request(
        endpoint.method, world.path(endpoint), headers=headers, data=data, follow_redirects=False
    )


def test_every_console_route_states_who_may_use_it(world: World) -> None:
    console = {(e.method, e.path) for e in endpoints(world.app) if e.console}
    assert console == set(CONSOLE), "add the new console route to CONSOLE, with its roles"


def test_every_route_with_every_role_and_anonymous(world: World) -> None:
    client = TestClient(world.app)
    problems: list[str] = []
    for endpoint in endpoints(world.app):
        where = f"{endpoint.method} {endpoint.path}"
        allowed = CONSOLE.get((endpoint.method, endpoint.path), PUBLIC)
        anonymous = ask(client, world, endpoint, None, csrf=False)
        if anonymous.status_code >= 500:
            problems.append(f"{where} anonymous: {anonymous.status_code}")
        if endpoint.console and allowed is not PUBLIC:
            redirected = anonymous.status_code in (302, 303, 307) and anonymous.headers[
                "location"
            ].startswith("/console/login")
            if not (redirected or anonymous.status_code in (401, 403)):
                problems.append(f"{where} anonymous: {anonymous.status_code}, not sent to login")
        for role in ROLES:
            answer = ask(client, world, endpoint, world.token(role), csrf=True)
            status = answer.status_code
            if status >= 500:
                problems.append(f"{where} as {role}: {status}")
            elif endpoint.console and allowed is not PUBLIC:
                if role not in allowed and status != 403:
                    problems.append(f"{where} as {role}: {status}, expected 403")
                sent_to_login = answer.headers.get("location", "").startswith("/console/login")
                if role in allowed and (
                    status in (401, 403) or (sent_to_login and endpoint.path != "/console/logout")
                ):
                    problems.append(f"{where} as {role}: {status}, expected to be let in")
                if role in allowed and endpoint.method == "GET" and status != 200:
                    problems.append(f"{where} as {role}: {status}, expected the page")
            if endpoint.console and endpoint.method != "GET" and allowed is not PUBLIC:
                bare = ask(client, world, endpoint, world.token(role), csrf=False)
                if bare.status_code != 403:
                    problems.append(f"{where} as {role} without csrf: {bare.status_code}")
    assert not problems, "\n".join(problems)


def test_console_pages_carry_no_personal_data_to_those_refused(world: World) -> None:
    client = TestClient(world.app)
    for endpoint in endpoints(world.app):
        if not endpoint.console or endpoint.method != "GET":
            continue
        for role in ("engineer", "auditor", None):
            token = world.token(role) if role else None
            answer = ask(client, world, endpoint, token, csrf=False)
            assert "197805239824" not in answer.text, (endpoint, role)
