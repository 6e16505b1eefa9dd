"""The notice in a real browser: `dataskydd serve` in a subprocess, Debian's Chromium driven
by Playwright. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dataskydd.programme import Programme, ProgrammeInvalid, load_programme, load_template

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _programme() -> tuple[Path | None, Programme]:
    """The bundled template when it is complete; the minimal fixture until then."""
    try:
        return None, load_template()
    except (ProgrammeInvalid, LookupError, FileNotFoundError):
        return MINIMAL, load_programme(MINIMAL)


@pytest.fixture(scope="module")
def programme() -> tuple[Path | None, Programme]:
    return _programme()


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, programme: tuple[Path | None, Programme]
) -> Iterator[str]:
    """`dataskydd serve` on a free loopback port, with a fresh data directory."""
    path, _ = programme
    port = _free_port()
    command = [str(Path(sys.executable).parent / "dataskydd"), "serve", "--port", str(port)]
    if path is not None:
        command += ["--programme", str(path)]
    env = {**os.environ, "DATASKYDD_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    env.pop("DATASKYDD_PROGRAMME", None)
    env.pop("DATASKYDD_DATABASE_URL", None)
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"dataskydd serve exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    pytest.fail("dataskydd serve did not answer within 30 s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


def _open(browser: Any, errors: list[str], **context: Any) -> Any:
    """A page that records console errors (a CSP violation shows up as one)."""
    page = browser.new_context(**context).new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_swedish_notice_and_language_switch(
    server: str, browser: Any, programme: tuple[Path | None, Programme], page_errors: list[str]
) -> None:
    _, loaded = programme
    page = _open(browser, page_errors, viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/sv")
    assert page.locator("h1").inner_text() == "Personuppgiftshantering"
    assert page.locator("html").get_attribute("lang") == "sv"
    # The stylesheet applied: the header has its brand colour, not the browser default.
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(15, 61, 94)"
    _shot(page, "notice-sv-desktop")

    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{server}/en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == loaded.notice.title.en
    assert page.locator('.languages a[aria-current="true"]').inner_text() == "English"
    _shot(page, "notice-en-desktop")

    page.get_by_role("link", name="Svenska").click()
    page.wait_for_url(f"{server}/sv")
    assert page.locator("h1").inner_text() == "Personuppgiftshantering"
    assert page_errors == []


def test_table_of_contents_and_skip_link(server: str, browser: Any, page_errors: list[str]) -> None:
    page = _open(browser, page_errors, viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/en")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    first = page.locator(".toc a").first
    anchor = first.get_attribute("href")
    first.click()
    assert page.url.endswith(anchor)
    assert page.locator(f"h2{anchor}").is_visible()
    assert page_errors == []


@pytest.mark.parametrize("language", ["sv", "en"])
def test_phone_has_no_horizontal_scroll(
    server: str, browser: Any, language: str, page_errors: list[str]
) -> None:
    page = _open(
        browser, page_errors, viewport={"width": 375, "height": 812}, device_scale_factor=2,
        is_mobile=True, has_touch=True,
    )
    for path, name in ((f"/{language}", "notice"), (f"/{language}/versions", "versions")):
        page.goto(f"{server}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        _shot(page, f"{name}-{language}-phone")
    assert page_errors == []


def test_diff_page_reads_in_the_browser(server: str, browser: Any, page_errors: list[str]) -> None:
    page = _open(browser, page_errors, viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/sv/versions")
    page.locator("tbody th a").first.click()
    assert page.locator("h1").inner_text() == "Personuppgiftshantering"
    version = page.url.rsplit("/", 1)[1]
    page.goto(f"{server}/sv/versions/{version}/diff/{version}")
    assert "Texten är oförändrad." in page.locator("main").inner_text()
    assert page_errors == []
