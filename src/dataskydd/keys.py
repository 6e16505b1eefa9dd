"""The platform's keyed-hash key: from the environment, a secrets file, or the data directory.

Keyed hashes (HMAC-SHA256) let the platform recognise a person without keeping who they
are: an erased personnummer becomes a value that still joins but no longer reads, and the
direct-marketing suppression list can drop a person from a purchased list without listing
anyone. The key is a secret, so it never lives in YAML or in the app store:

- ``DATASKYDD_HASH_KEY``: the key itself, at least 32 bytes as hex or URL-safe base64;
- ``DATASKYDD_HASH_KEY_FILE``: a file holding it (a Docker or Kubernetes secret);
- otherwise ``<data dir>/keys/hash.key``, created on first use with mode 0600 (the embedded
  default; back it up with the store: without it, no hash can be matched again).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from functools import lru_cache
from pathlib import Path

from dataskydd.settings import get_settings

MIN_KEY_BYTES = 32


class KeyConfigError(ValueError):
    """The configured key is missing, unreadable or too short; the message never shows it."""


def key_bytes(text: str, where: str) -> bytes:
    """The bytes written as hex or URL-safe base64 in ``where`` (a variable or file name)."""
    value = text.strip()
    try:
        return bytes.fromhex(value)
    except ValueError:
        try:
            return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            raise KeyConfigError(f"{where} holds neither hex nor base64") from None


def decode_key(text: str, where: str) -> bytes:
    """The keyed-hash key written in ``where``: at least :data:`MIN_KEY_BYTES` bytes."""
    key = key_bytes(text, where)
    if len(key) < MIN_KEY_BYTES:
        raise KeyConfigError(
            f"{where} holds {len(key)} bytes; a key needs at least {MIN_KEY_BYTES}"
        )
    return key


def _load() -> bytes:
    given = os.environ.get("DATASKYDD_HASH_KEY")
    if given:
        return decode_key(given, "DATASKYDD_HASH_KEY")
    file = os.environ.get("DATASKYDD_HASH_KEY_FILE")
    if file:
        try:
            return decode_key(Path(file).read_text(encoding="ascii"), f"the key file {file}")
        except OSError as exc:
            raise KeyConfigError(f"the key file {file} cannot be read: {exc.strerror}") from None
    path = get_settings().data_dir / "keys" / "hash.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_EXCL: two processes starting at once never both write a key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
    return decode_key(path.read_text(encoding="ascii"), f"the key file {path}")


@lru_cache(maxsize=1)
def hash_key() -> bytes:
    """The keyed-hash key, read once per process (see the module docstring)."""
    return _load()


def reset() -> None:
    """Forget the key read, so the next call reads the configuration again (tests)."""
    hash_key.cache_clear()
