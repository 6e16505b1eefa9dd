"""BankID identity verification for rights requests, on BankID's Relying Party API v6.0.

The flow: :meth:`BankIdClient.auth` starts an order; the person scans the animated QR code
(:func:`qr_data`, renewed every second) or opens BankID on the same device; the platform
calls :meth:`BankIdClient.collect` every two seconds while the order is ``pending`` and shows
:func:`user_message` for its ``hintCode``; a ``complete`` order carries the person's verified
personnummer, which :func:`verify_personal_number` compares with the one in the request.

The personnummer is never logged and never put in an exception's text: it is the very
identifier a rights request protects. Certificates, keys and their password come from files
and the environment only, and are never logged either.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal
from urllib.parse import urlsplit

import httpx

from dataskydd.identity.kinds import IdentityError
from dataskydd.identity.personnummer import parse_personnummer

log = logging.getLogger(__name__)

TEST_BASE_URL: Final = "https://appapi2.test.bankid.com/rp/v6.0"
PRODUCTION_BASE_URL: Final = "https://appapi2.bankid.com/rp/v6.0"
ENV_PREFIX: Final = "DATASKYDD_BANKID_"

Lang = Literal["sv", "en"]
VisibleDataFormat = Literal["plaintext", "simpleMarkdownV1"]


class Status(StrEnum):
    """The ``status`` of a collected order."""

    PENDING = "pending"
    FAILED = "failed"
    COMPLETE = "complete"


PENDING_HINTS: Final = frozenset(
    "outstandingTransaction noClient started userMrtd userCallConfirm userSign".split()
)
# The errorCode BankID documents for each HTTP status, for error bodies that are not JSON
# (a proxy or load balancer answering in BankID's place).
_CODE_FOR_STATUS: Final[Mapping[int, str]] = {
    400: "invalidParameters",
    401: "unauthorized",
    403: "unauthorized",
    404: "notFound",
    405: "methodNotAllowed",
    408: "requestTimeout",
    415: "unsupportedMediaType",
    500: "internalError",
    503: "maintenance",
}
# A personnummer in any written form: 6 or 8 digits, an optional separator, 4 digits.
_PERSONNUMMER_LIKE = re.compile(r"\d{6}(?:\d{2})?[-+ ]?\d{4}")


class BankIdError(Exception):
    """BankID refused a request (``error_code`` as BankID names it) or could not be reached."""

    def __init__(self, error_code: str, details: str = "", status_code: int | None = None) -> None:
        self.error_code = error_code
        # BankID's details are free text; scrub anything shaped like a personnummer anyway.
        self.details = _PERSONNUMMER_LIKE.sub("<personnummer>", details)
        self.status_code = status_code
        where = f"HTTP {status_code}" if status_code is not None else "no answer"
        text = f"BankID {error_code} ({where})"
        super().__init__(f"{text}: {self.details}" if self.details else text)


class OrderNotComplete(Exception):
    """The order is still pending or has failed, so there is no person to compare."""

    def __init__(self, status: Status, hint_code: str | None) -> None:
        self.status = status
        self.hint_code = hint_code
        super().__init__(f"the BankID order is {status} ({hint_code}), not complete")


@dataclass(frozen=True, slots=True)
class Order:
    """A started order. ``qr_start_secret`` stays on the server: it signs the QR codes."""

    order_ref: str
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Completion:
    """``completionData`` of a complete order. Personal data is left out of ``repr``."""

    personal_number: str = field(repr=False)
    name: str = field(repr=False)
    given_name: str = field(repr=False)
    surname: str = field(repr=False)
    ip_address: str = field(repr=False)
    bank_id_issue_date: str | None
    signature: str = field(repr=False)
    ocsp_response: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Collect:
    """One answer from ``/collect``."""

    order_ref: str
    status: Status
    hint_code: str | None
    completion: Completion | None = None


class BankIdClient:
    """A client of the RP API v6.0 over mutual TLS.

    ``cert_file`` and ``key_file`` are the relying party's client certificate and key (PEM),
    ``ca_file`` BankID's root for the server certificate. Plain ``http://`` is accepted only
    to a loopback address, for a local test double.
    """

    def __init__(
        self,
        base_url: str = TEST_BASE_URL,
        *,
        cert_file: str | Path | None = None,
        key_file: str | Path | None = None,
        ca_file: str | Path | None = None,
        key_password: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(base_url)
        verify: ssl.SSLContext | bool = False
        if parts.scheme == "https":
            if not (cert_file and key_file and ca_file):
                raise ValueError("BankID over https needs cert_file, key_file and ca_file")
            # Trust BankID's own root only, not the system store: no other server can answer.
            verify = ssl.create_default_context(cafile=str(ca_file))
            verify.load_cert_chain(str(cert_file), str(key_file), password=key_password)
        elif parts.scheme != "http" or not _is_loopback(parts.hostname or ""):
            raise ValueError(f"BankID base URL must be https (or http to loopback): {base_url}")
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            verify=verify,
            timeout=timeout,
            headers={"Content-Type": "application/json"},
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BankIdClient:
        """Configure from ``DATASKYDD_BANKID_URL``, ``_CERT_FILE``, ``_KEY_FILE``, ``_CA_FILE``
        and ``_KEY_PASSWORD`` (or ``_KEY_PASSWORD_FILE``, a mounted secret)."""
        env = os.environ if environ is None else environ
        password = env.get(ENV_PREFIX + "KEY_PASSWORD")
        password_file = env.get(ENV_PREFIX + "KEY_PASSWORD_FILE")
        if password is None and password_file:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        return cls(
            env.get(ENV_PREFIX + "URL", TEST_BASE_URL),
            cert_file=env.get(ENV_PREFIX + "CERT_FILE"),
            key_file=env.get(ENV_PREFIX + "KEY_FILE"),
            ca_file=env.get(ENV_PREFIX + "CA_FILE"),
            key_password=password,
        )

    def __repr__(self) -> str:
        return f"BankIdClient({self.base_url!r})"

    def __enter__(self) -> BankIdClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def auth(
        self,
        end_user_ip: str,
        personal_number: str | None = None,
        *,
        user_visible_data: str | None = None,
        visible_data_format: VisibleDataFormat | None = None,
        return_url: str | None = None,
    ) -> Order:
        """Start an identification (``POST /auth``).

        ``personal_number`` (any written form) becomes ``requirement.personalNumber``, so only
        that person can complete the order; BankID recommends starting without it and
        comparing afterwards (:func:`verify_personal_number`).
        """
        body = _start_body(end_user_ip, personal_number, return_url)
        if user_visible_data is not None:
            body.update(_visible_data(user_visible_data, visible_data_format))
        return self._start("auth", body)

    def collect(self, order_ref: str) -> Collect:
        """The order's state now (``POST /collect``); call every two seconds while pending."""
        data = self._post("collect", {"orderRef": order_ref})
        try:
            status = Status(_text(data, "status"))
        except ValueError:
            raise BankIdError("invalidResponse", "collect answered an unknown status") from None
        hint = data.get("hintCode")
        completion = None
        if status is Status.COMPLETE:
            completion = _completion(data.get("completionData"))
        log.info("BankID collect %s: %s %s", order_ref, status, hint or "")
        hint_code = hint if isinstance(hint, str) else None
        return Collect(_text(data, "orderRef"), status, hint_code, completion)

    def cancel(self, order_ref: str) -> None:
        """Cancel a pending order (``POST /cancel``), e.g. when the person gives up."""
        self._post("cancel", {"orderRef": order_ref})
        log.info("BankID order %s cancelled", order_ref)

    def qr_data(self, order: Order, elapsed_seconds: int) -> str:
        """The animated QR code's content ``elapsed_seconds`` after the order started."""
        return qr_data(order, elapsed_seconds)

    def _start(self, endpoint: str, body: dict[str, Any]) -> Order:
        data = self._post(endpoint, body)
        order = Order(
            _text(data, "orderRef"),
            _text(data, "autoStartToken"),
            _text(data, "qrStartToken"),
            _text(data, "qrStartSecret"),
        )
        log.info("BankID %s order %s started", endpoint, order.order_ref)
        return order

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        # Only the endpoint is logged: the body of /auth can hold a personnummer.
        try:
            response = self._http.post(endpoint, json=body)
        except httpx.TimeoutException as exc:
            raise BankIdError("requestTimeout", f"no answer to /{endpoint} in time") from exc
        except httpx.TransportError as exc:
            raise BankIdError("transportError", f"/{endpoint}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            code, details = _error_of(response)
            log.warning("BankID /%s refused: HTTP %s %s", endpoint, response.status_code, code)
            raise BankIdError(code, details, response.status_code)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise BankIdError("invalidResponse", f"/{endpoint} did not answer a JSON object", 200)
        return data


def qr_data(order: Order, elapsed_seconds: int) -> str:
    """``bankid.<qrStartToken>.<seconds>.<HMAC-SHA256(qrStartSecret, seconds) in hex>``.

    Computed on the server each second, so the secret never reaches the browser; a code
    photographed and replayed from elsewhere is stale within a second.
    """
    if elapsed_seconds < 0:
        raise ValueError("elapsed_seconds cannot be negative")
    seconds = str(int(elapsed_seconds))
    auth_code = hmac.new(
        order.qr_start_secret.encode("ascii"), seconds.encode("ascii"), hashlib.sha256
    ).hexdigest()
    return f"bankid.{order.qr_start_token}.{seconds}.{auth_code}"


# BankID's recommended user messages, from developers.bankid.com ("Recommended user
# messages"). Two typos in BankID's own texts are corrected: "gitligt" in RFA15B and "you ID
# document" in RFA23.
RFA_SV: Final[Mapping[str, str]] = {
    "RFA1": "Starta BankID-appen.",
    "RFA3": "Åtgärden avbröts. Försök igen.",
    "RFA4": "En identifiering eller underskrift pågår redan för ditt personnummer. Försök igen.",
    "RFA5": "Något gick fel. Försök igen.",
    "RFA6": "Åtgärden avbröts.",
    "RFA8": "BankID-appen svarar inte. Kontrollera att den är startad och att du har internetanslutning. Försök sedan igen.",
    "RFA9": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
    "RFA13": "Försöker starta BankID-appen.",
    "RFA15B": "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.",
    "RFA16": "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa ett nytt hos din bank.",
    "RFA17A": "Du verkar inte ha BankID-appen/programmet. Installera den och skaffa ett BankID hos din bank.",
    "RFA17B": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden.",
    "RFA21": "En identifiering eller underskrift pågår.",
    "RFA22": "Något gick fel. Försök igen.",
    "RFA23": "Fotografera och läs av din ID-handling med BankID-appen.",
}
RFA_EN: Final[Mapping[str, str]] = {
    "RFA1": "Start your BankID app.",
    "RFA3": "The action was cancelled. Please try again.",
    "RFA4": "An identification or signature is already in progress for your personal identity number. Please try again.",
    "RFA5": "Something went wrong. Please try again.",
    "RFA6": "The action was cancelled.",
    "RFA8": "The BankID app is not responding. Please check that it\N{RIGHT SINGLE QUOTATION MARK}s started and that you have internet access. Try again.",
    "RFA9": "Enter your security code in the BankID app and select Identify or Sign.",
    "RFA13": "Trying to start your BankID app.",
    "RFA15B": "Searching for BankID. Make sure you have a valid BankID on this device.",
    "RFA16": "Your BankID is blocked or too old. Please use another BankID or get a new one from your bank.",
    "RFA17A": "You don't seem to have the BankID app/program. Please install it and get a BankID from your bank.",
    "RFA17B": "Failed to scan the QR code. Start the BankID app and scan the QR code.",
    "RFA21": "An identification or signing is in progress.",
    "RFA22": "Something went wrong. Please try again.",
    "RFA23": "Take a photo of, and scan, your ID document with the BankID app.",
}
# The message for each hintCode and errorCode, as BankID's collect and error pages map them.
_RFA_OF_CODE: Final[Mapping[str, str]] = {
    "outstandingTransaction": "RFA1",  # RFA13 instead when the app was autostarted
    "noClient": "RFA1",
    # RFA15A is for BankID on card in a computer; the platform cannot tell, and B fits both.
    "started": "RFA15B",
    "userSign": "RFA9",
    "userMrtd": "RFA23",
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    "startFailed": "RFA17B",  # RFA17A instead when the app was autostarted
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "internalError": "RFA5",
    "maintenance": "RFA5",
}


def rfa_for(code: str | None, *, status: Status | None = None, autostarted: bool = False) -> str:
    """The RFA message for a ``hintCode`` or ``errorCode``; ``autostarted``: opened on this device.

    Codes without a message of their own (userCallConfirm, userDeclinedCall,
    notSupportedByUserApp, new ones) get BankID's fallbacks: RFA21 pending, RFA22 failed.
    """
    if autostarted and code in ("outstandingTransaction", "startFailed"):
        return "RFA13" if code == "outstandingTransaction" else "RFA17A"
    if code is not None and code in _RFA_OF_CODE:
        return _RFA_OF_CODE[code]
    if status is Status.PENDING or (status is None and code in PENDING_HINTS):
        return "RFA21"
    return "RFA22"


def user_message(
    hint_code: str | None,
    lang: Lang = "sv",
    *,
    status: Status | None = None,
    autostarted: bool = False,
) -> str:
    """BankID's recommended text for a ``hintCode`` (or ``errorCode``) in Swedish or English."""
    if lang not in ("sv", "en"):
        raise ValueError(f"BankID's messages are in 'sv' and 'en', not {lang!r}")
    rfa = rfa_for(hint_code, status=status, autostarted=autostarted)
    return RFA_SV[rfa] if lang == "sv" else RFA_EN[rfa]


def same_person(bankid_personal_number: str, expected_personnummer: str) -> bool:
    """Whether BankID's ``personalNumber`` and a personnummer in any written form are one person.

    Invalid numbers raise ``ValueError`` saying which side it was, never the number itself.
    """
    try:
        verified = parse_personnummer(bankid_personal_number)
    except IdentityError:
        raise ValueError("BankID's personalNumber is not a valid personnummer") from None
    try:
        expected = parse_personnummer(expected_personnummer)
    except IdentityError:
        raise ValueError("the expected personnummer is not a valid personnummer") from None
    return verified.canonical == expected.canonical


def verify_personal_number(
    client: BankIdClient, order_ref: str, expected_personnummer: str
) -> bool:
    """Collect ``order_ref`` and say whether the person who completed it is the expected one.

    Raises :class:`OrderNotComplete` while the order is pending or after it failed.
    """
    collected = client.collect(order_ref)
    if collected.status is not Status.COMPLETE or collected.completion is None:
        raise OrderNotComplete(collected.status, collected.hint_code)
    matches = same_person(collected.completion.personal_number, expected_personnummer)
    log.info("BankID order %s: personnummer %s", order_ref, "matches" if matches else "differs")
    return matches


def _start_body(
    end_user_ip: str, personal_number: str | None, return_url: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"endUserIp": end_user_ip}
    if personal_number is not None:
        try:
            canonical = parse_personnummer(personal_number).canonical
        except IdentityError:
            raise ValueError("personal_number is not a valid personnummer") from None
        body["requirement"] = {"personalNumber": canonical}  # YYYYMMDDNNNN, as BankID wants
    if return_url is not None:
        body["returnUrl"] = return_url
    return body


def _visible_data(text: str, data_format: VisibleDataFormat | None) -> dict[str, str]:
    # BankID takes the text shown in the app as base64 of its UTF-8.
    body = {"userVisibleData": base64.b64encode(text.encode("utf-8")).decode("ascii")}
    if data_format is not None:
        body["userVisibleDataFormat"] = data_format
    return body


def _completion(value: object) -> Completion:
    if not isinstance(value, dict):
        raise BankIdError("invalidResponse", "a complete order came without completionData", 200)
    user, device = value.get("user"), value.get("device")
    if not isinstance(user, dict) or not isinstance(device, dict):
        raise BankIdError("invalidResponse", "completionData lacks user or device", 200)
    return Completion(
        personal_number=_text(user, "personalNumber"),
        name=_text(user, "name"),
        given_name=_text(user, "givenName"),
        surname=_text(user, "surname"),
        ip_address=_text(device, "ipAddress"),
        bank_id_issue_date=_optional_text(value, "bankIdIssueDate"),
        signature=_optional_text(value, "signature") or "",
        ocsp_response=_optional_text(value, "ocspResponse") or "",
    )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        # The key is named, never the value: it may be the personnummer.
        raise BankIdError("invalidResponse", f"the answer lacks the text field {key}", 200)
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) else None


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """BankID's ``errorCode`` and ``details``, or the code documented for the HTTP status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    fields = body if isinstance(body, dict) else {}
    code = _optional_text(fields, "errorCode")
    default = _CODE_FOR_STATUS.get(response.status_code, f"http{response.status_code}")
    return code or default, _optional_text(fields, "details") or ""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
