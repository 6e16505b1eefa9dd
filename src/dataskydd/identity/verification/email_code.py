"""Verifying a rights request by a one-time code sent by e-mail.

Nothing here touches a database: :func:`issue` returns what to store, :func:`check` takes it
back and says what changed. Only a keyed hash of the code is stored, bound to its challenge
id, so a stolen table can neither be brute-forced offline without the platform key nor have
a hash replayed against another challenge. Nothing here logs, and no error repeats the code
or the recipient's address.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from pathlib import Path
from typing import Literal

from dataskydd import clock
from dataskydd.identity.keyed import keyed_hash

CODE_DIGITS = 6
DEFAULT_VALID_FOR = timedelta(minutes=15)
DEFAULT_MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 10.0

Lang = Literal["sv", "en"]


class CodeFormatError(ValueError):
    """The code typed is not six digits; the message never repeats what was typed."""


class SmtpConfigError(ValueError):
    """The SMTP settings in the environment are missing or wrong; never shows the password."""


class DeliveryError(RuntimeError):
    """The code could not be sent; the message names neither the address nor the code."""


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    USED = "used"


@dataclass(frozen=True)
class StoredChallenge:
    """What the caller stores for one challenge (never the code itself)."""

    challenge_id: str
    code_hash: str
    expires_at: datetime
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    attempts: int = 0  # wrong codes typed so far
    used_at: datetime | None = None


@dataclass(frozen=True)
class IssuedCode:
    """A fresh code to send, and the challenge to store; the code is kept out of ``repr``."""

    code: str = field(repr=False)
    challenge: StoredChallenge


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, and the challenge as the caller should now store it."""

    outcome: Outcome
    challenge: StoredChallenge

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def attempts(self) -> int:
        return self.challenge.attempts


def code_hash(challenge_id: str, code: str) -> str:
    """The keyed hash stored for ``code``; the domain prefix keeps it apart from identity hashes."""
    return keyed_hash(f"email-code:{challenge_id}:{code}")


def issue(
    now: datetime | None = None,
    *,
    valid_for: timedelta = DEFAULT_VALID_FOR,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    challenge_id: str | None = None,
) -> IssuedCode:
    """A new random code and its challenge, valid for ``valid_for`` from ``now``."""
    if valid_for <= timedelta(0) or max_attempts < 1:
        raise ValueError("a code must be valid for some time and allow at least one attempt")
    issued_at = now if now is not None else clock.now()
    cid = challenge_id or secrets.token_urlsafe(16)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    stored = StoredChallenge(cid, code_hash(cid, code), issued_at + valid_for, max_attempts)
    return IssuedCode(code, stored)


def normalise_code(text: str) -> str:
    """The code without whitespace, or a :class:`CodeFormatError` that does not repeat it."""
    value = re.sub(r"\s+", "", text)
    # ASCII only: str.isdigit() would also let through Arabic-Indic and other digits.
    if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", value):
        raise CodeFormatError(
            f"type the {CODE_DIGITS} digits (0-9) from the e-mail; spaces are allowed"
        )
    return value


def check(stored: StoredChallenge, code: str, now: datetime | None = None) -> CheckResult:
    """Check ``code`` against ``stored``; raises :class:`CodeFormatError` if it is not 6 digits.

    Used, locked and expired challenges are refused before the code is read, and cost no
    attempt. A malformed code costs none either: it cannot match. The wrong code that
    uses up the last attempt comes back as LOCKED, so the person is told at once.
    """
    at = now if now is not None else clock.now()
    if stored.used_at is not None:
        return CheckResult(Outcome.USED, stored)
    if stored.attempts >= stored.max_attempts:
        return CheckResult(Outcome.LOCKED, stored)
    if at >= stored.expires_at:
        return CheckResult(Outcome.EXPIRED, stored)
    candidate = code_hash(stored.challenge_id, normalise_code(code))
    # Constant time: how long the comparison takes says nothing of how close the guess was.
    if hmac.compare_digest(candidate.encode("ascii"), stored.code_hash.encode("ascii")):
        return CheckResult(Outcome.OK, replace(stored, used_at=at))
    wrong = replace(stored, attempts=stored.attempts + 1)
    locked = wrong.attempts >= wrong.max_attempts
    return CheckResult(Outcome.LOCKED if locked else Outcome.WRONG, wrong)


# -- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send the code; the password is kept out of ``repr``."""

    host: str
    port: int
    from_address: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Settings from ``DATASKYDD_SMTP_*``; the password also from ``..._PASSWORD_FILE``."""
        env = os.environ if environ is None else environ
        host = env.get("DATASKYDD_SMTP_HOST", "").strip()
        from_address = env.get("DATASKYDD_SMTP_FROM", "").strip()
        if not host or not from_address:
            raise SmtpConfigError("DATASKYDD_SMTP_HOST and DATASKYDD_SMTP_FROM must both be set")
        starttls = _flag(env.get("DATASKYDD_SMTP_STARTTLS", "true"))
        port = env.get("DATASKYDD_SMTP_PORT", "").strip() or ("587" if starttls else "25")
        if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise SmtpConfigError(f"DATASKYDD_SMTP_PORT is {port!r}, not a port number")
        username = env.get("DATASKYDD_SMTP_USERNAME", "").strip() or None
        password = env.get("DATASKYDD_SMTP_PASSWORD") or _password_file(env)
        if username and not password:
            raise SmtpConfigError(
                "DATASKYDD_SMTP_USERNAME is set without DATASKYDD_SMTP_PASSWORD(_FILE)"
            )
        return cls(host, int(port), from_address, username, password, starttls)


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise SmtpConfigError(f"DATASKYDD_SMTP_STARTTLS is {text!r}; write true or false")
    return value in {"1", "true", "yes", "on"}


def _password_file(env: Mapping[str, str]) -> str | None:
    file = env.get("DATASKYDD_SMTP_PASSWORD_FILE")
    if not file:
        return None
    try:
        # Only the line break a secrets file ends with: spaces may be part of a password.
        return Path(file).read_text(encoding="utf-8").strip("\r\n") or None
    except OSError as exc:
        raise SmtpConfigError(f"the password file {file} cannot be read: {exc.strerror}") from None


# The data subject reads these: each is written in its own language, not translated word for word.
_TEXTS: dict[str, tuple[str, str]] = {
    "sv": (
        "Din kod för att bekräfta din begäran",
        "Hej!\n\nHär är din kod för att bekräfta din begäran (ärende {reference}):\n\n"
        "    {code}\n\nAnge koden på sidan där du gjorde din begäran. Koden gäller i "
        "{minutes} minuter. Dela den inte med någon.\n\n"
        "Om du inte har begärt detta kan du bortse från meddelandet.\n",
    ),
    "en": (
        "Your code to confirm your request",
        "Hello,\n\nHere is your code to confirm your request (reference {reference}):\n\n"
        "    {code}\n\nEnter the code on the page where you made your request. The code is "
        "valid for {minutes} minutes. Do not share it with anyone.\n\n"
        "If you did not make this request, you can ignore this message.\n",
    ),
}


def build_message(
    settings: SmtpSettings,
    to_address: str,
    code: str,
    lang: Lang,
    request_reference: str,
    valid_for: timedelta = DEFAULT_VALID_FOR,
) -> EmailMessage:
    """The e-mail carrying ``code`` to the data subject, in Swedish or English."""
    if lang not in _TEXTS:
        raise ValueError(f"no e-mail text in language {lang!r}; use 'sv' or 'en'")
    subject, template = _TEXTS[lang]
    minutes = max(1, round(valid_for.total_seconds() / 60))
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.from_address
    message["To"] = to_address
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=settings.from_address.rpartition("@")[2] or None)
    # RFC 3834: an automatic message, so out-of-office replies are not sent back to it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(template.format(reference=request_reference, code=code, minutes=minutes))
    message["Content-Language"] = lang  # after set_content, which clears Content-* headers
    return message


def send_code(
    settings: SmtpSettings,
    to_address: str,
    code: str,
    lang: Lang,
    request_reference: str,
    valid_for: timedelta = DEFAULT_VALID_FOR,
) -> None:
    """Send ``code`` to ``to_address``; any failure is a :class:`DeliveryError`."""
    # Checked here, since the e-mail library's own errors would quote the address.
    if to_address.count("@") != 1 or any(c in to_address for c in "\r\n<>,"):
        raise DeliveryError("the recipient is not a single valid e-mail address")
    message = build_message(settings, to_address, code, lang, request_reference, valid_for)
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username and settings.password:
                smtp.login(settings.username, settings.password)
            smtp.send_message(message)
    except smtplib.SMTPResponseException as exc:
        # Only the status code: the server's text often quotes the rejected address.
        raise DeliveryError(
            f"the mail server {where} refused the code e-mail (SMTP {exc.smtp_code})"
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(f"the mail server {where} refused the recipient") from None
    except (smtplib.SMTPException, OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise DeliveryError(f"the code e-mail could not be sent via {where}: {reason}") from None
