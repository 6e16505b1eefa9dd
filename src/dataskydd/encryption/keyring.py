"""The encryption keys, and sealing and opening values with them (AES-256-GCM).

Identities, request payloads and answer packages are personal data, so the app store keeps
them sealed. The keys never live in the database or in YAML:

- ``DATASKYDD_ENCRYPTION_KEYS``: ``id:key[,id:key...]``, each key 32 bytes as hex or URL-safe
  base64; the first is the active key (new values are sealed with it), the others still open
  what they sealed until ``dataskydd keys rotate`` has moved everything to the active one;
- ``DATASKYDD_ENCRYPTION_KEYS_FILE``: a file with one ``id:key`` a line, in the same order;
- otherwise ``<data dir>/keys/encryption/``: one ``<id>.key`` file a key and an ``active``
  file naming the active one, created on first use (the embedded default; back it up with
  the store, apart from it: without the keys nothing sealed can be read again).

A sealed value reads ``v1.<key id>.<nonce and ciphertext, base64url>``. Every value is sealed
with associated data naming where it belongs (``requests.identities:<request id>``), so a
sealed value copied into another row or column does not open there.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dataskydd.keys import KeyConfigError, key_bytes
from dataskydd.settings import get_settings

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = "v1"
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class KeyringError(ValueError):
    """The keys are missing, malformed or cannot open a value; never shows a key or a value."""


@dataclass(frozen=True)
class Keyring:
    """The keys by id, and which one seals new values."""

    keys: dict[str, bytes]
    active: str

    def seal(self, plaintext: bytes, context: str) -> str:
        """``plaintext`` sealed with the active key, bound to ``context``."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{VERSION}.{self.active}.{body}"

    def open(self, token: str, context: str) -> bytes:
        """The plaintext of ``token``; KeyringError if it was sealed elsewhere or altered."""
        key_id = key_id_of(token)
        key = self.keys.get(key_id)
        if key is None:
            raise KeyringError(
                f"a value is sealed with key {key_id!r}, which is not configured "
                "(was it removed before `dataskydd keys rotate` finished?)"
            )
        body = token.split(".", 2)[2]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (binascii.Error, ValueError, InvalidTag):
            raise KeyringError(
                f"a value sealed for {context.split(':', 1)[0]} does not open: it was altered "
                "or belongs to another row"
            ) from None

    def seal_text(self, text: str, context: str) -> str:
        return self.seal(text.encode("utf-8"), context)

    def open_text(self, token: str, context: str) -> str:
        return self.open(token, context).decode("utf-8")


def key_id_of(token: str) -> str:
    """The id of the key that sealed ``token``."""
    parts = token.split(".", 2)
    if len(parts) != 3 or parts[0] != VERSION:
        raise KeyringError("not a sealed value (expected v1.<key id>.<data>)")
    return parts[1]


def _decode(text: str, where: str) -> bytes:
    try:
        key = key_bytes(text, where)
    except KeyConfigError as error:
        raise KeyringError(str(error)) from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{where} holds {len(key)} bytes; an AES-256 key is {KEY_BYTES}")
    return key


def _parse_list(entries: list[str], where: str) -> Keyring:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for number, entry in enumerate(entries, start=1):
        key_id, sep, value = entry.strip().partition(":")
        place = f"{where}, entry {number}"
        if not sep or not KEY_ID.fullmatch(key_id):
            raise KeyringError(
                f"{place}: expected id:key with an id of 1-32 letters, digits, _ or -"
            )
        if key_id in keys:
            raise KeyringError(f"{place}: key id {key_id!r} is given twice")
        keys[key_id] = _decode(value, place)
        order.append(key_id)
    if not keys:
        raise KeyringError(f"{where} names no key")
    return Keyring(keys, order[0])


def key_dir() -> Path:
    return get_settings().data_dir / "keys" / "encryption"


def _from_dir(directory: Path) -> Keyring:
    active_file = directory / "active"
    if not active_file.exists():
        add_key(directory)
    keys = {
        path.stem: _decode(path.read_text(encoding="ascii"), f"the key file {path}")
        for path in sorted(directory.glob("*.key"))
    }
    active = active_file.read_text(encoding="ascii").strip()
    if active not in keys:
        raise KeyringError(f"{active_file} names key {active!r}, which has no file")
    return Keyring(keys, active)


def add_key(directory: Path | None = None) -> str:
    """Create a new key in the embedded key directory and make it the active one."""
    directory = directory or key_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    existing = {path.stem for path in directory.glob("*.key")}
    number = 1 + max((int(k[1:]) for k in existing if k[1:].isdigit()), default=0)
    key_id = f"k{number}"
    # O_EXCL: two processes starting at once never write the same key file twice.
    fd = os.open(directory / f"{key_id}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(KEY_BYTES) + "\n")
    temporary = directory / f"active.{os.getpid()}"
    temporary.write_text(key_id + "\n", encoding="ascii")
    temporary.replace(directory / "active")  # atomic: readers see the old or the new name
    return key_id


def configured_externally() -> bool:
    """Whether the keys come from the environment or a file (then rotation adds no key)."""
    return bool(
        os.environ.get("DATASKYDD_ENCRYPTION_KEYS")
        or os.environ.get("DATASKYDD_ENCRYPTION_KEYS_FILE")
    )


def _load() -> Keyring:
    given = os.environ.get("DATASKYDD_ENCRYPTION_KEYS")
    if given:
        return _parse_list(given.split(","), "DATASKYDD_ENCRYPTION_KEYS")
    file = os.environ.get("DATASKYDD_ENCRYPTION_KEYS_FILE")
    if file:
        try:
            lines = Path(file).read_text(encoding="ascii").splitlines()
        except OSError as exc:
            raise KeyringError(f"the key file {file} cannot be read: {exc.strerror}") from None
        return _parse_list(
            [line for line in lines if line.strip() and not line.startswith("#")],
            f"the key file {file}",
        )
    return _from_dir(key_dir())


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    """The configured keyring, read once per process (see the module docstring)."""
    return _load()


def reset() -> None:
    """Forget the keys read, so the next call reads the configuration again."""
    keyring.cache_clear()
