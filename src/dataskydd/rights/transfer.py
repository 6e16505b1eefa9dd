"""Sending a portability export straight to another controller (Art. 20(2)), over HTTPS only.

The notice promises a transfer "if it is safe and technically possible": safe means TLS
with a verified certificate, no redirects followed (a redirect could lead anywhere, even
to plain HTTP), and a receipt holding the SHA-256 of exactly what was sent, so both
controllers can show they hold the same file. Messages name the host, never the path or
query, which may carry the receiver's token.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from dataskydd import clock


class TransferError(Exception):
    """The export was not delivered; the message says why in words an operator can act on."""


@dataclass(frozen=True)
class TransferReceipt:
    host: str
    status_code: int
    sha256: str  # hex digest of the bytes sent
    size: int
    sent_at: datetime


def send_to_controller(
    payload: bytes,
    url: str,
    *,
    content_type: str,
    timeout: float = 30,
    verify: bool | str = True,
) -> TransferReceipt:
    """POST ``payload`` to the receiving controller at ``url``; raise TransferError unless 2xx.

    ``verify`` is True (the system's trusted CAs) or the path of a CA bundle that the
    receiver's certificate must chain to. False turns verification off, which is only for
    tests: it is never offered on the command line.
    """
    host = https_host(url)
    digest = hashlib.sha256(payload).digest()
    headers = {
        "Content-Type": content_type,
        # RFC 9530: lets the receiver check it got exactly these bytes.
        "Content-Digest": f"sha-256=:{base64.b64encode(digest).decode('ascii')}:",
    }
    try:
        with httpx.Client(verify=_tls(verify), timeout=timeout, follow_redirects=False) as client:
            response = client.post(url, content=payload, headers=headers)
    except httpx.TimeoutException:
        raise TransferError(
            f"the receiving controller at {host} did not answer within {timeout:g} s"
        ) from None
    except httpx.ConnectError as error:
        if _is_certificate_error(error):
            raise TransferError(
                f"the receiving controller's certificate at {host} could not be verified; "
                "nothing was sent"
            ) from None
        raise TransferError(f"could not connect to the receiving controller at {host}") from None
    except httpx.HTTPError as error:
        raise TransferError(
            f"sending to the receiving controller at {host} failed: {type(error).__name__}"
        ) from None
    if response.is_redirect:
        raise TransferError(
            f"the receiving controller at {host} answered {response.status_code} "
            "(a redirect; not followed, ask them for the final HTTPS address)"
        )
    if not response.is_success:
        raise TransferError(
            f"the receiving controller at {host} answered {response.status_code} "
            f"{response.reason_phrase}".rstrip()
        )
    return TransferReceipt(host, response.status_code, digest.hex(), len(payload), clock.now())


def https_host(url: str) -> str:
    """The host of an ``https://`` URL; TransferError for anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https":
        shown = f"{parts.scheme}://" if parts.scheme else url
        raise TransferError(
            f"refusing to send personal data to {shown}...: the receiving controller must "
            "be given as an https:// address (the data is encrypted in transit only over HTTPS)"
        )
    if not parts.hostname:
        raise TransferError("the receiving controller's address has no host name")
    return parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"


def _tls(verify: bool | str) -> ssl.SSLContext | bool:
    if isinstance(verify, str):
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as error:
            raise TransferError(f"cannot read the CA file {verify}: {error}") from None
    return verify


def _is_certificate_error(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(
            cause
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False
