"""A test double of BankID's Relying Party API v6.0, served for real over loopback.

It answers ``POST /rp/v6.0/auth``, ``/collect`` and ``/cancel`` with BankID's shapes: the
four tokens from ``/auth``; ``pending``/``failed``/``complete`` with BankID's hint codes from
``/collect``; ``{}`` from ``/cancel``; errors as ``{"errorCode", "details"}`` with BankID's
HTTP statuses. The tests play the person with the app: :meth:`BankIdDouble.user_signs`,
:meth:`BankIdDouble.user_cancels`, :meth:`BankIdDouble.user_scans_qr` and so on.

Per order: ``pending outstandingTransaction`` -> (``started``) -> ``userSign`` -> ``complete``,
or ``failed`` with ``userCancel``, ``cancelled`` (a second order for the same person) or
``expiredTransaction`` once ``expires_after`` seconds pass on the double's clock.

BankID itself answers only over mutual TLS. The double speaks plain HTTP unless given a
:class:`TestPki`, with which uvicorn requires a client certificate from its CA, as BankID does.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

API_PATH = "/rp/v6.0"
# BankID's real order lifetime is about three minutes; tests move the clock with advance().
DEFAULT_EXPIRES_AFTER = 180.0
KEY_PASSWORD = "qwerty123"  # the password BankID's own test certificates use


@dataclass
class _Order:
    order_ref: str
    end_user_ip: str
    required_personal_number: str | None
    auto_start_token: str
    qr_start_token: str
    qr_start_secret: str
    started_at: float
    status: str = "pending"
    hint_code: str | None = "outstandingTransaction"
    completion: dict[str, Any] | None = None


@dataclass
class _ScriptedError:
    status_code: int
    body: bytes
    media_type: str


class BankIdDouble:
    """The double: ``with BankIdDouble() as bankid: BankIdClient(bankid.base_url)``."""

    def __init__(
        self, *, expires_after: float = DEFAULT_EXPIRES_AFTER, tls: TestPki | None = None
    ) -> None:
        self.expires_after = expires_after
        self.tls = tls
        self.received: list[tuple[str, dict[str, Any]]] = []  # (endpoint, body) as sent
        self._orders: dict[str, _Order] = {}
        self._cancelled: set[str] = set()
        self._scripted: list[_ScriptedError] = []
        self._skew = 0.0
        # uvicorn serves from its own thread while the test thread scripts the user.
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    # -- running ---------------------------------------------------------------------------

    def __enter__(self) -> BankIdDouble:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Serve on a free loopback port in a background thread, and wait until it answers."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=_ALL_METHODS)])
        options: dict[str, Any] = {}
        if self.tls is not None:
            options = {
                "ssl_certfile": str(self.tls.server_cert),
                "ssl_keyfile": str(self.tls.server_key),
                "ssl_ca_certs": str(self.tls.ca_cert),
                "ssl_cert_reqs": ssl.CERT_REQUIRED,
            }
        config = uvicorn.Config(app, log_level="warning", lifespan="off", **options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the BankID double did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self._port}{API_PATH}"

    def reset(self) -> None:
        """Forget every order, request and scripted error, and set the clock right."""
        with self._lock:
            self._orders.clear()
            self._cancelled.clear()
            self._scripted.clear()
            self.received.clear()
            self._skew = 0.0

    # -- what the tests script -------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the double's clock on, so orders can expire without the test waiting."""
        with self._lock:
            self._skew += seconds

    def fail_next(
        self, status_code: int, error_code: str | None = None, details: str = "", *, raw: str = ""
    ) -> None:
        """Answer the next request with an error: BankID's JSON, or ``raw`` text (a proxy)."""
        if error_code is None:
            scripted = _ScriptedError(status_code, raw.encode(), "text/plain")
        else:
            body = json.dumps({"errorCode": error_code, "details": details}).encode()
            scripted = _ScriptedError(status_code, body, "application/json")
        with self._lock:
            self._scripted.append(scripted)

    def user_starts_app(self, order_ref: str) -> None:
        """The app started with the autostart token but has not found a usable BankID yet."""
        self._move(order_ref, "started")

    def app_shows_order(self, order_ref: str) -> None:
        """The app has the order and asks for the security code."""
        self._move(order_ref, "userSign")

    def user_scans_qr(self, qr: str) -> str:
        """The app reads an animated QR code: checked as BankID checks it, then userSign."""
        prefix, token, seconds, auth_code = qr.split(".")
        with self._lock:
            order = next(o for o in self._orders.values() if o.qr_start_token == token)
            elapsed = int(self._now() - order.started_at)
        expected = hmac.new(
            order.qr_start_secret.encode(), seconds.encode(), hashlib.sha256
        ).hexdigest()
        # BankID accepts only the code of the current second (and allows a little drift).
        if prefix != "bankid" or not hmac.compare_digest(auth_code, expected):
            raise ValueError("the QR code's auth code is wrong")
        if abs(int(seconds) - elapsed) > 2:
            raise ValueError("the QR code is stale")
        self._move(order.order_ref, "userSign")
        return order.order_ref

    def user_signs(self, order_ref: str, personnummer: str, name: str) -> None:
        """The person enters the security code: the order completes as this person."""
        given, _, surname = name.partition(" ")
        with self._lock:
            order = self._pending(order_ref)
            required = order.required_personal_number
            if required is not None and required != personnummer:
                raise AssertionError("BankID offers the order only to the required person")
            order.status, order.hint_code = "complete", None
            order.completion = {
                "user": {
                    "personalNumber": personnummer,
                    "name": name,
                    "givenName": given,
                    "surname": surname,
                },
                "device": {"ipAddress": order.end_user_ip, "uhi": _b64(order.order_ref)},
                "bankIdIssueDate": "2024-03-01Z",
                "stepUp": {"mrtd": False},
                "signature": _b64(f"<Signature>{order.order_ref}</Signature>"),
                "ocspResponse": _b64("ocsp"),
            }

    def user_cancels(self, order_ref: str) -> None:
        """The person presses Cancel in the app."""
        self.fail(order_ref, "userCancel")

    def fail(self, order_ref: str, hint_code: str) -> None:
        """End the order as failed with ``hint_code`` (certificateErr, startFailed, ...)."""
        with self._lock:
            order = self._pending(order_ref)
            order.status, order.hint_code = "failed", hint_code

    def _move(self, order_ref: str, hint_code: str) -> None:
        with self._lock:
            self._pending(order_ref).hint_code = hint_code

    def _pending(self, order_ref: str) -> _Order:
        order = self._orders[order_ref]
        self._expire(order)
        if order.status != "pending":
            raise AssertionError(f"the order is already {order.status} ({order.hint_code})")
        return order

    # -- the API ---------------------------------------------------------------------------

    def _now(self) -> float:
        return time.monotonic() + self._skew

    def _expire(self, order: _Order) -> None:
        if order.status == "pending" and self._now() - order.started_at > self.expires_after:
            order.status, order.hint_code = "failed", "expiredTransaction"

    async def _handle(self, request: Request) -> Response:
        with self._lock:
            scripted = self._scripted.pop(0) if self._scripted else None
        if scripted is not None:
            return Response(scripted.body, scripted.status_code, media_type=scripted.media_type)
        endpoint = request.url.path.removeprefix(API_PATH + "/")
        handler = {"auth": self._auth, "collect": self._collect, "cancel": self._cancel}.get(
            endpoint
        )
        if not request.url.path.startswith(API_PATH + "/") or handler is None:
            return _error(404, "notFound", "No such resource")
        if request.method != "POST":
            return _error(405, "methodNotAllowed", "Only POST is allowed")
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "unsupportedMediaType", "Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "invalidParameters", "Invalid JSON")
        if not isinstance(body, dict):
            return _error(400, "invalidParameters", "Invalid JSON")
        with self._lock:
            self.received.append((endpoint, body))
            return handler(body)

    def _auth(self, body: dict[str, Any]) -> Response:
        ip = body.get("endUserIp")
        if not isinstance(ip, str) or not _is_ip(ip):
            return _error(400, "invalidParameters", "Incorrect endUserIp")
        requirement = body.get("requirement", {})
        if not isinstance(requirement, dict):
            return _error(400, "invalidParameters", "Incorrect requirement")
        pnr = requirement.get("personalNumber")
        if pnr is not None and not (isinstance(pnr, str) and len(pnr) == 12 and pnr.isdigit()):
            return _error(400, "invalidParameters", "Incorrect personalNumber")
        visible = body.get("userVisibleData")
        if visible is not None and not _is_base64(visible):
            return _error(400, "invalidParameters", "Incorrect userVisibleData")
        if pnr is not None:
            for other in self._orders.values():
                self._expire(other)
                if other.status == "pending" and other.required_personal_number == pnr:
                    # BankID stops both: the old order fails as cancelled, the new is refused.
                    other.status, other.hint_code = "failed", "cancelled"
                    return _error(400, "alreadyInProgress", "Order already in progress for pno")
        order = _Order(
            order_ref=str(uuid.uuid4()),
            end_user_ip=ip,
            required_personal_number=pnr,
            auto_start_token=str(uuid.uuid4()),
            qr_start_token=str(uuid.uuid4()),
            qr_start_secret=str(uuid.uuid4()),
            started_at=self._now(),
        )
        self._orders[order.order_ref] = order
        return JSONResponse(
            {
                "orderRef": order.order_ref,
                "autoStartToken": order.auto_start_token,
                "qrStartToken": order.qr_start_token,
                "qrStartSecret": order.qr_start_secret,
            }
        )

    def _collect(self, body: dict[str, Any]) -> Response:
        order = self._orders.get(str(body.get("orderRef")))
        if order is None:
            return _error(404, "notFound", "No such order")
        self._expire(order)
        if order.status == "complete":
            return JSONResponse(
                {
                    "orderRef": order.order_ref,
                    "status": "complete",
                    "completionData": order.completion,
                }
            )
        return JSONResponse(
            {"orderRef": order.order_ref, "status": order.status, "hintCode": order.hint_code}
        )

    def _cancel(self, body: dict[str, Any]) -> Response:
        order_ref = str(body.get("orderRef"))
        if order_ref in self._cancelled:
            return _error(400, "invalidParameters", "Order already cancelled")
        if self._orders.pop(order_ref, None) is None:
            return _error(404, "notFound", "No such order")
        self._cancelled.add(order_ref)
        return JSONResponse({})


_ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def _error(status_code: int, error_code: str, details: str) -> Response:
    return JSONResponse({"errorCode": error_code, "details": details}, status_code)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _is_base64(value: object) -> bool:
    try:
        base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return False
    return isinstance(value, str)


@dataclass(frozen=True)
class TestPki:
    """A CA, the double's server certificate for 127.0.0.1 and a relying-party client
    certificate whose key is encrypted with :data:`KEY_PASSWORD`, as PEM files."""

    __test__ = False  # not a test class, whatever its name

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    @classmethod
    def create(cls, directory: Path) -> TestPki:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("Test BankID Root CA", ca_key, ca_key, None, is_ca=True)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = _certificate("127.0.0.1", server_key, ca_key, ca, is_ca=False)
        client_key = ec.generate_private_key(ec.SECP256R1())
        client = _certificate("Test relying party", client_key, ca_key, ca, is_ca=False)
        pki = cls(
            *(directory / n for n in ("ca.pem", "server.pem", "server.key", "rp.pem", "rp.key"))
        )
        for path, cert in ((pki.ca_cert, ca), (pki.server_cert, server), (pki.client_cert, client)):
            path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        pki.server_key.write_bytes(_key_pem(server_key, None))
        pki.client_key.write_bytes(_key_pem(client_key, KEY_PASSWORD))
        return pki


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    *,
    is_ca: bool,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=is_ca,
                crl_sign=is_ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _key_pem(key: ec.EllipticCurvePrivateKey, password: str | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
