"""The one-time e-mail code: issued, sent through a real local SMTP server, and checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from dataskydd import clock, keys
from dataskydd.identity.verification.email_code import (
    CodeFormatError,
    DeliveryError,
    Lang,
    Outcome,
    SmtpConfigError,
    SmtpSettings,
    StoredChallenge,
    check,
    code_hash,
    issue,
    send_code,
)

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ADDRESS = "anna.berg@exempel.se"
REFUSED = "ingen.alls@exempel.se"


@dataclass
class Sink:
    """An SMTP handler that keeps every message it is given, and refuses one recipient."""

    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address == REFUSED:
            # Real servers quote the address back; the DeliveryError must not.
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"dataskydd", b"hemligt")
    # handled=False: the server itself answers 535 to a wrong password.
    return AuthResult(success=ok, handled=False)


def _running(sink: Sink, **kwargs: Any) -> Iterator[SmtpSettings]:
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpSettings("127.0.0.1", port, "dataskydd@exempel.se", starttls=False)
    finally:
        controller.stop()


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def smtp(sink: Sink) -> Iterator[SmtpSettings]:
    """A real SMTP server on a free local port, without TLS or login."""
    yield from _running(sink)


@pytest.fixture
def smtp_with_login(sink: Sink) -> Iterator[SmtpSettings]:
    """A real SMTP server that wants a user name and password (over plain text, locally)."""
    yield from _running(sink, authenticator=_authenticate, auth_require_tls=False)


def _text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


# -- sending ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "subject", "phrases"),
    [
        (
            "sv",
            "Din kod för att bekräfta din begäran",
            ["ärende DSR-2027-0042", "Koden gäller i 15 minuter", "kan du bortse från"],
        ),
        (
            "en",
            "Your code to confirm your request",
            ["reference DSR-2027-0042", "valid for 15 minutes", "you can ignore this"],
        ),
    ],
)
def test_the_code_arrives_in_the_language_asked_for(
    smtp: SmtpSettings, sink: Sink, lang: Lang, subject: str, phrases: list[str]
) -> None:
    issued = issue(NOW)
    send_code(smtp, ADDRESS, issued.code, lang, "DSR-2027-0042")
    [message] = sink.messages
    assert message["Subject"] == subject
    assert message["To"] == ADDRESS
    assert message["From"] == "dataskydd@exempel.se"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == lang
    text = _text(message)
    assert issued.code in text
    for phrase in phrases:
        assert phrase in text
    assert check(issued.challenge, issued.code, NOW).ok


def test_the_code_is_sent_after_logging_in(smtp_with_login: SmtpSettings, sink: Sink) -> None:
    settings = SmtpSettings(
        smtp_with_login.host,
        smtp_with_login.port,
        "dataskydd@exempel.se",
        "dataskydd",
        "hemligt",
        False,
    )
    send_code(settings, ADDRESS, "123456", "sv", "DSR-1")
    assert len(sink.messages) == 1


def test_a_refused_login_is_a_delivery_error(smtp_with_login: SmtpSettings, sink: Sink) -> None:
    settings = SmtpSettings(
        smtp_with_login.host,
        smtp_with_login.port,
        "dataskydd@exempel.se",
        "dataskydd",
        "fel",
        False,
    )
    with pytest.raises(DeliveryError, match="SMTP 535") as raised:
        send_code(settings, ADDRESS, "123456", "sv", "DSR-1")
    assert ADDRESS not in str(raised.value) and "123456" not in str(raised.value)
    assert "fel" not in str(raised.value).split()
    assert sink.messages == []


def test_an_unreachable_server_is_a_delivery_error_without_the_address_or_code() -> None:
    settings = SmtpSettings("127.0.0.1", _free_port(), "dataskydd@exempel.se", starttls=False)
    with pytest.raises(DeliveryError) as raised:
        send_code(settings, ADDRESS, "654321", "en", "DSR-1")
    message = str(raised.value)
    assert f"127.0.0.1:{settings.port}" in message
    assert ADDRESS not in message and "anna" not in message and "654321" not in message


def test_a_refused_recipient_is_a_delivery_error_without_the_address(smtp: SmtpSettings) -> None:
    with pytest.raises(DeliveryError) as raised:
        send_code(smtp, REFUSED, "654321", "sv", "DSR-1")
    assert REFUSED not in str(raised.value) and "654321" not in str(raised.value)


@pytest.mark.parametrize("address", ["anna", "a@b@c", "anna@exempel.se\r\nBcc: x@y.se"])
def test_a_malformed_address_is_refused_without_being_repeated(address: str) -> None:
    settings = SmtpSettings("127.0.0.1", 1, "dataskydd@exempel.se", starttls=False)
    with pytest.raises(DeliveryError) as raised:
        send_code(settings, address, "654321", "sv", "DSR-1")
    assert "anna" not in str(raised.value)


def test_smtp_settings_come_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    secret.write_text("ett hemligt lösen\n", encoding="utf-8")
    settings = SmtpSettings.from_env(
        {
            "DATASKYDD_SMTP_HOST": "smtp.exempel.se",
            "DATASKYDD_SMTP_FROM": "dataskydd@exempel.se",
            "DATASKYDD_SMTP_USERNAME": "dataskydd",
            "DATASKYDD_SMTP_PASSWORD_FILE": str(secret),
        }
    )
    assert settings == SmtpSettings(
        "smtp.exempel.se", 587, "dataskydd@exempel.se", "dataskydd", "ett hemligt lösen", True
    )
    assert "hemligt" not in repr(settings)
    plain = SmtpSettings.from_env(
        {
            "DATASKYDD_SMTP_HOST": "localhost",
            "DATASKYDD_SMTP_PORT": "2525",
            "DATASKYDD_SMTP_FROM": "dataskydd@exempel.se",
            "DATASKYDD_SMTP_STARTTLS": "false",
            "DATASKYDD_SMTP_PASSWORD": "från variabeln",
            "DATASKYDD_SMTP_PASSWORD_FILE": str(secret),
        }
    )
    assert (plain.port, plain.starttls, plain.password) == (2525, False, "från variabeln")


@pytest.mark.parametrize(
    ("environ", "reason"),
    [
        ({"DATASKYDD_SMTP_FROM": "a@b.se"}, "DATASKYDD_SMTP_HOST"),
        (
            {
                "DATASKYDD_SMTP_HOST": "h",
                "DATASKYDD_SMTP_FROM": "a@b.se",
                "DATASKYDD_SMTP_PORT": "x",
            },
            "PORT",
        ),
        (
            {
                "DATASKYDD_SMTP_HOST": "h",
                "DATASKYDD_SMTP_FROM": "a@b.se",
                "DATASKYDD_SMTP_STARTTLS": "kanske",
            },
            "STARTTLS",
        ),
        (
            {
                "DATASKYDD_SMTP_HOST": "h",
                "DATASKYDD_SMTP_FROM": "a@b.se",
                "DATASKYDD_SMTP_USERNAME": "u",
            },
            "PASSWORD",
        ),
    ],
)
def test_wrong_smtp_settings_say_which_variable(environ: dict[str, str], reason: str) -> None:
    with pytest.raises(SmtpConfigError, match=reason):
        SmtpSettings.from_env(environ)


# -- checking --------------------------------------------------------------------------------


def test_a_code_is_six_digits_and_kept_out_of_repr() -> None:
    issued = issue(NOW)
    assert len(issued.code) == 6 and issued.code.isdigit()
    assert issued.code not in repr(issued)
    assert issued.challenge.expires_at == NOW + timedelta(minutes=15)
    assert (issued.challenge.attempts, issued.challenge.max_attempts) == (0, 5)
    assert issue(NOW, valid_for=timedelta(minutes=5)).challenge.expires_at == NOW + timedelta(
        minutes=5
    )


def test_the_right_code_verifies_once() -> None:
    issued = issue(NOW)
    result = check(issued.challenge, issued.code, NOW + timedelta(minutes=1))
    assert result.outcome is Outcome.OK and result.ok
    assert result.challenge.used_at == NOW + timedelta(minutes=1)
    assert result.attempts == 0


def test_a_used_code_is_refused() -> None:
    issued = issue(NOW)
    used = check(issued.challenge, issued.code, NOW).challenge
    again = check(used, issued.code, NOW + timedelta(minutes=1))
    assert again.outcome is Outcome.USED and not again.ok
    assert again.challenge == used


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_wrong_code_counts_an_attempt() -> None:
    issued = issue(NOW)
    result = check(issued.challenge, _wrong(issued.code), NOW)
    assert result.outcome is Outcome.WRONG and not result.ok
    assert result.attempts == 1
    assert check(result.challenge, issued.code, NOW).ok


def test_five_wrong_codes_lock_the_challenge() -> None:
    issued = issue(NOW)
    challenge = issued.challenge
    outcomes = []
    for _ in range(5):
        result = check(challenge, _wrong(issued.code), NOW)
        outcomes.append(result.outcome)
        challenge = result.challenge
    assert outcomes == [Outcome.WRONG] * 4 + [Outcome.LOCKED]
    assert challenge.attempts == 5
    locked = check(challenge, issued.code, NOW)
    assert locked.outcome is Outcome.LOCKED and locked.attempts == 5


def test_an_expired_code_is_refused() -> None:
    issued = issue(NOW)
    with clock.frozen_at(NOW + timedelta(minutes=14, seconds=59)):
        assert check(issued.challenge, issued.code).ok
    with clock.frozen_at(NOW + timedelta(minutes=15)):
        expired = check(issued.challenge, issued.code)
    assert expired.outcome is Outcome.EXPIRED
    assert expired.attempts == 0


def test_the_clock_sets_the_expiry_when_no_time_is_given() -> None:
    with clock.frozen_at(NOW):
        issued = issue()
    assert issued.challenge.expires_at == NOW + timedelta(minutes=15)


@pytest.mark.parametrize("spaced", ["{a} {b}", " {a}{b}\n", "{a}\t{b}", "{a[0]} {a[1]} {a[2]} {b}"])
def test_a_code_with_spaces_is_accepted(spaced: str) -> None:
    issued = issue(NOW)
    typed = spaced.format(a=issued.code[:3], b=issued.code[3:])
    assert check(issued.challenge, typed, NOW).ok


@pytest.mark.parametrize("typed", ["12a4X6", "", "   ", "12345", "1234567", "123-456", "١٢٣٤٥٦"])
def test_a_malformed_code_is_a_clear_error_that_does_not_repeat_it(typed: str) -> None:
    issued = issue(NOW)
    with pytest.raises(CodeFormatError, match="6 digits") as raised:
        check(issued.challenge, typed, NOW)
    if typed.strip():
        assert typed.strip() not in str(raised.value)


def test_the_stored_hash_hides_the_code_and_is_bound_to_its_challenge() -> None:
    issued = issue(NOW)
    stored = issued.challenge
    assert issued.code not in stored.code_hash and len(stored.code_hash) == 64
    assert code_hash("challenge-a", issued.code) != code_hash("challenge-b", issued.code)
    # A hash moved to another challenge does not verify there.
    moved = StoredChallenge("another-challenge", stored.code_hash, stored.expires_at)
    assert check(moved, issued.code, NOW).outcome is Outcome.WRONG


def test_the_stored_hash_needs_the_platform_key(monkeypatch: pytest.MonkeyPatch) -> None:
    issued = issue(NOW, challenge_id="challenge-a")
    monkeypatch.setenv("DATASKYDD_HASH_KEY", "00" * 32)
    keys.reset()
    assert code_hash("challenge-a", issued.code) != issued.challenge.code_hash
    assert check(issued.challenge, issued.code, NOW).outcome is Outcome.WRONG
