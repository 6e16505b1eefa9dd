"""Sending a portability export to another controller: HTTPS, a verified certificate, a receipt.

The receiving controller is a real HTTPS server on this machine, in a thread, with a
self-signed certificate made for the test; the sender trusts exactly that certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dataskydd.rights.transfer import TransferError, send_to_controller

PAYLOAD = '{"namn": "Åsa Öberg"}'.encode()


@dataclass
class Receiver:
    """What the receiving controller got, and how it answers."""

    url: str
    status: int = 201
    location: str | None = None
    delay: float = 0.0
    received: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mottagare.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture()
def receiver(certificate: tuple[Path, Path]) -> Iterator[Receiver]:
    cert_file, key_file = certificate
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append((self.path, dict(self.headers.items()), body))
            time.sleep(state.delay)
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"https://127.0.0.1:{server.server_address[1]}/inkorg?token=hemligt"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_send_to_refuses_http() -> None:
    with pytest.raises(TransferError, match=r"refusing to send personal data to http://"):
        send_to_controller(
            PAYLOAD, "http://mottagare.example/inkorg", content_type="application/json"
        )


def test_send_to_refuses_an_address_without_a_scheme() -> None:
    with pytest.raises(TransferError, match="https://"):
        send_to_controller(PAYLOAD, "mottagare.example/inkorg", content_type="application/json")


def test_send_to_posts_over_https_and_returns_a_receipt_of_what_was_sent(
    receiver: Receiver, certificate: tuple[Path, Path]
) -> None:
    receipt = send_to_controller(
        PAYLOAD, receiver.url, content_type="application/json", verify=str(certificate[0])
    )
    assert receipt.status_code == 201
    assert receipt.sha256 == hashlib.sha256(PAYLOAD).hexdigest()
    assert receipt.size == len(PAYLOAD)
    assert receipt.host.startswith("127.0.0.1:")
    [(path, headers, body)] = receiver.received
    assert body == PAYLOAD
    assert path == "/inkorg?token=hemligt"
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Digest"].startswith("sha-256=:")


def test_the_receivers_error_is_said_plainly(
    receiver: Receiver, certificate: tuple[Path, Path]
) -> None:
    receiver.status = 503
    with pytest.raises(
        TransferError, match=r"the receiving controller at 127\.0\.0\.1:\d+ answered 503"
    ):
        send_to_controller(
            PAYLOAD, receiver.url, content_type="application/json", verify=str(certificate[0])
        )


def test_an_unverified_certificate_is_refused_before_anything_is_sent(receiver: Receiver) -> None:
    with pytest.raises(TransferError, match=r"certificate .* could not be verified"):
        send_to_controller(PAYLOAD, receiver.url, content_type="application/json")
    assert receiver.received == []


def test_a_redirect_is_not_followed(receiver: Receiver, certificate: tuple[Path, Path]) -> None:
    receiver.status = 307
    receiver.location = "http://elsewhere.example/inkorg"
    with pytest.raises(TransferError, match=r"answered 307 .*not followed"):
        send_to_controller(
            PAYLOAD, receiver.url, content_type="application/json", verify=str(certificate[0])
        )
    assert len(receiver.received) == 1


def test_a_receiver_that_does_not_answer_in_time_is_reported(
    receiver: Receiver, certificate: tuple[Path, Path]
) -> None:
    receiver.delay = 2.0
    with pytest.raises(TransferError, match=r"did not answer within 0.5 s"):
        send_to_controller(
            PAYLOAD,
            receiver.url,
            content_type="application/json",
            timeout=0.5,
            verify=str(certificate[0]),
        )


def test_messages_never_show_the_receivers_token(receiver: Receiver) -> None:
    with pytest.raises(TransferError) as caught:
        send_to_controller(PAYLOAD, receiver.url, content_type="application/json")
    assert "hemligt" not in str(caught.value)


def test_an_unreachable_receiver_is_reported(certificate: tuple[Path, Path]) -> None:
    with pytest.raises(TransferError, match="could not connect to the receiving controller"):
        send_to_controller(
            PAYLOAD,
            "https://127.0.0.1:9/inkorg",
            content_type="application/json",
            verify=str(certificate[0]),
        )
