"""Under load over loopback: 200 submissions at once are all recorded, none lost, no 5xx,
through the privacy centre's form (each visitor with their own CSRF cookie) and the API."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from dataskydd.programme import load_template
from dataskydd.settings import Settings
from dataskydd.store.case_tables import RightsRequestRecord
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.web.app import create_app

SUBMISSIONS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(store_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    settings = Settings(data_dir=tmp_path, database_url=store_url, jobs_in_process=False)
    app = create_app(settings, load_template("swedish-lender"))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store_url
    running.should_exit = True
    thread.join(30)


async def _submit_all(base: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=SUBMISSIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        return await asyncio.gather(
            *(
                client.post(
                    "/api/v1/requests",
                    json={
                        "kind": "access",
                        "identities": [{"kind": "email", "value": f"person{n}@example.se"}],
                        "language": "sv" if n % 2 else "en",
                    },
                )
                for n in range(SUBMISSIONS)
            )
        )


def test_two_hundred_submissions_at_once_are_all_recorded(server: tuple[str, str]) -> None:
    base, store_url = server
    answers = asyncio.run(_submit_all(base))
    assert sorted({a.status_code for a in answers}) == [201]
    references = {a.json()["reference"] for a in answers}
    assert len(references) == SUBMISSIONS
    engine = make_engine(store_url)
    with session_scope(engine) as session:
        recorded = session.scalar(select(func.count()).select_from(RightsRequestRecord))
        stored = set(session.scalars(select(RightsRequestRecord.reference)))
    engine.dispose()
    assert recorded == SUBMISSIONS and stored == references


async def _one_visitor(base: str, n: int) -> httpx.Response:
    """A visitor opens the Swedish access form and sends it, as a browser would."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        form = await client.get("/sv/rights/access")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text[:200]
        return await client.post(
            "/sv/rights/access",
            data={"csrf_token": token.group(1), "email": f"besokare{n}@example.se"},
        )


def test_two_hundred_visitors_sending_the_form_at_once_are_all_recorded(
    server: tuple[str, str],
) -> None:
    base, store_url = server

    async def everyone() -> list[httpx.Response]:
        return await asyncio.gather(*(_one_visitor(base, n) for n in range(SUBMISSIONS)))

    answers = asyncio.run(everyone())
    assert sorted({a.status_code for a in answers}) == [200]
    shown = {
        re.search(r'id="reference-value"[^>]*>([^<]+)<', a.text).group(1).strip() for a in answers
    }  # type: ignore[union-attr]
    assert len(shown) == SUBMISSIONS
    engine = make_engine(store_url)
    with session_scope(engine) as session:
        stored = set(session.scalars(select(RightsRequestRecord.reference)))
        channels = set(session.scalars(select(RightsRequestRecord.channel)))
    engine.dispose()
    assert stored == shown and channels == {"web"}
