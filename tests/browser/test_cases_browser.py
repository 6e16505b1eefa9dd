"""A rights request in a real browser: a person asks in Swedish on the privacy centre,
confirms with the e-mailed code, a case handler signs in to the console, reviews and
approves, the person downloads the answer once. `dataskydd serve` runs in a subprocess on the demo estate (jobs in its own process);
Debian's Chromium is driven by Playwright. Screenshots go to test-artifacts/cases-*.png."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dataskydd import clock
from dataskydd.demo.estate import build
from dataskydd.demo.planted import ANNA

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HANDLER = "Maria Handläggare"
HANDLER_PASSWORD = "korrekt häst batteri häftklammer"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Platform:
    base: str
    data_dir: Path
    env: dict[str, str]

    def dataskydd(self, *args: str) -> str:
        """Run the CLI against the same store, as staff at a terminal would."""
        done = subprocess.run(
            [str(Path(sys.executable).parent / "dataskydd"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def code_sent(self, before: int) -> str:
        """The one-time code of the newest e-mail in the outbox (no SMTP in the demo)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            files = sorted((self.data_dir / "outbox").glob("*.eml"))
            if len(files) > before:
                message = email.message_from_bytes(files[-1].read_bytes())
                part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
                text = part.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
                found = re.search(r"\b(\d{3} ?\d{3})\b", text)
                assert found, "no code in the e-mail"
                return found.group(1).replace(" ", "")
            time.sleep(0.1)
        raise AssertionError("no e-mail reached the outbox")

    def outbox_size(self) -> int:
        return len(list((self.data_dir / "outbox").glob("*.eml")))


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("cases")
    with clock.frozen_at("2026-11-26"):
        estate = build(root / "estate", persons=200)
    data_dir = root / "data"
    port = _free_port()
    env = {
        **os.environ,
        "DATASKYDD_DATA_DIR": str(data_dir),
        "DATASKYDD_DATAMAP": str(estate.datamap_dir),
        "DATASKYDD_JOB_LEASE_SECONDS": "5",
    }
    for name in (
        "DATASKYDD_PROGRAMME",
        "DATASKYDD_DATABASE_URL",
        "DATASKYDD_SMTP_HOST",
        "DATASKYDD_NOW",
    ):
        env.pop(name, None)
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "dataskydd"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield Platform(base, data_dir, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"dataskydd serve exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail("dataskydd serve did not answer within 60 s")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"cases-{name}.png"), full_page=True)


def _page(browser: Any, errors: list[str]) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page


def _ask(
    platform: Platform,
    page: Any,
    kind: str,
    name: str,
    fill: dict[str, str] | None = None,
    check: tuple[str, ...] = (),
) -> tuple[str, str]:
    """The person's part: the form in Swedish, the code from the e-mail; returns ref and code."""
    page.goto(f"{platform.base}/sv/rights/{kind}")
    assert page.locator("html").get_attribute("lang") == "sv"
    page.fill("#personnummer", ANNA.personnummer)
    page.fill("#email", ANNA.email)  # the address the code proves, and the one we hold for her
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    for selector in check:
        page.check(selector)
    _shot(page, f"{name}-1-form")
    page.click("#submit")
    reference = page.locator("#reference-value").inner_text().strip()
    follow_code = page.locator("#follow-code-value").inner_text().strip()
    _shot(page, f"{name}-2-submitted")
    before = platform.outbox_size()
    page.click("#send-code")
    page.fill("#code", platform.code_sent(before))
    page.click("#verify")
    assert page.locator("#verified-now").is_visible()
    _shot(page, f"{name}-3-verified")
    return reference, follow_code


@pytest.fixture(scope="module")
def handler(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A case handler's account, made at the terminal; the password comes from a file."""
    password = tmp_path_factory.mktemp("secret") / "password"
    password.write_text(HANDLER_PASSWORD + "\n", encoding="utf-8")
    platform.dataskydd(
        "staff",
        "add",
        "maria",
        "--name",
        HANDLER,
        "--role",
        "handler",
        "--password-file",
        str(password),
    )
    return "maria"


def _handle(platform: Platform, browser: Any, handler: str, reference: str, name: str) -> None:
    """The case handler's part in the console: reviews what was found, assesses, approves."""
    platform.dataskydd("requests", "assign", reference, "--to", handler, "--by", "DPO Dana")
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto(f"{platform.base}/console/login")
    page.fill("#username", handler)
    page.fill("#password", HANDLER_PASSWORD)
    page.click("#login-button")
    page.goto(f"{platform.base}/console/requests")
    row = page.locator(f"tr#request-{reference}")
    assert row.is_visible()
    _shot(page, f"{name}-console-1-list")
    row.get_by_role("link", name=reference).click()
    assert page.locator("#request-status").inner_text().strip().lower().startswith("verified")
    page.goto(f"{platform.base}/console/requests/{reference}/findings")
    _shot(page, f"{name}-console-2-findings")
    page.goto(f"{platform.base}/console/requests/{reference}")
    page.fill("#assess-note", "Fynden granskade")
    page.click("#assess-button")
    assert page.locator("#console-message").is_visible()
    page.fill("#approve-note", "Beviljas")
    page.click("#approve-button")
    assert page.locator("#console-message").is_visible()
    _shot(page, f"{name}-console-3-approved")
    page.click("#logout-button")
    assert errors == []


def _download(platform: Platform, page: Any, reference: str, follow_code: str, name: str) -> bytes:
    """The person follows the request until the answer is ready, and downloads it once."""
    deadline = time.monotonic() + 120
    while True:
        page.goto(f"{platform.base}/sv/rights/follow")
        page.fill("#reference", reference)
        page.fill("#follow_code", follow_code)
        page.click("#follow")
        if page.locator("#download").count():
            break
        assert time.monotonic() < deadline, page.locator("#case-status").inner_text()
        time.sleep(1)
    assert page.locator("#case-status").get_attribute("data-status") == "answered"
    _shot(page, f"{name}-4-answer-ready")
    with page.expect_download() as started:
        page.click("#download")
    download = started.value
    content = Path(download.path()).read_bytes()
    # The link worked once: the same address again is refused, and no button is offered.
    again = page.request.get(download.url)
    assert again.status == 410
    page.goto(f"{platform.base}/sv/rights/follow")
    page.fill("#reference", reference)
    page.fill("#follow_code", follow_code)
    page.click("#follow")
    assert page.locator("#download").count() == 0 and page.locator("#downloaded").is_visible()
    _shot(page, f"{name}-5-downloaded")
    return content


def test_an_access_request_from_the_privacy_centre_to_a_downloaded_answer(
    platform: Platform, browser: Any, handler: str
) -> None:
    errors: list[str] = []
    page = _page(browser, errors)
    reference, follow_code = _ask(platform, page, "access", "access")
    _handle(platform, browser, handler, reference, "access")
    content = _download(platform, page, reference, follow_code, "access")
    assert content[:2] == b"PK"  # the zip with the letter and the data
    assert errors == []


def test_an_erasure_keeps_the_active_loan_and_says_why(
    platform: Platform, browser: Any, handler: str
) -> None:
    errors: list[str] = []
    page = _page(browser, errors)
    reference, follow_code = _ask(
        platform, page, "erasure", "erasure", check=("#ground-consent_withdrawn",)
    )
    _handle(platform, browser, handler, reference, "erasure")
    letter = _download(platform, page, reference, follow_code, "erasure").decode("utf-8")
    assert "penningtvätt" in letter
    assert errors == []
