"""Personal data at rest is sealed with keys that live outside the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataskydd.encryption import keyring as keyring_module
from dataskydd.encryption.keyring import KeyringError, add_key, key_id_of, keyring


def test_a_sealed_value_opens_only_where_it_was_sealed() -> None:
    ring = keyring()
    token = ring.seal_text("19780523-9824", "requests.identities:r1")
    assert "9824" not in token
    assert ring.open_text(token, "requests.identities:r1") == "19780523-9824"
    with pytest.raises(KeyringError, match="another row"):
        ring.open_text(token, "requests.identities:r2")


def test_an_altered_value_does_not_open() -> None:
    ring = keyring()
    token = ring.seal_text("anna@example.se", "requests.payload:r1")
    body = token.split(".", 2)[2]
    altered = token[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(KeyringError, match="altered"):
        ring.open_text(altered, "requests.payload:r1")


def test_the_same_value_seals_differently_every_time() -> None:
    ring = keyring()
    assert ring.seal_text("x", "c") != ring.seal_text("x", "c")


def test_the_first_configured_key_seals_and_the_others_still_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = keyring().seal_text("kept", "c")
    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", f"t2:{'b8' * 32},t1:{'a7' * 32}")
    keyring_module.reset()
    ring = keyring()
    assert ring.active == "t2"
    assert key_id_of(ring.seal_text("new", "c")) == "t2"
    assert ring.open_text(old, "c") == "kept"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("t1", "expected id:key"),
        ("t1:abcd", "holds 2 bytes"),
        (f"t1:{'a7' * 32},t1:{'b8' * 32}", "given twice"),
        ("bad id:" + "a7" * 32, "expected id:key"),
    ],
)
def test_a_misconfigured_key_is_a_clear_error_that_never_shows_the_key(
    monkeypatch: pytest.MonkeyPatch, setting: str, message: str
) -> None:
    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", setting)
    keyring_module.reset()
    with pytest.raises(KeyringError, match=message) as raised:
        keyring()
    assert "a7a7" not in str(raised.value)


def test_a_key_removed_too_early_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    token = keyring().seal_text("v", "c")
    monkeypatch.setenv("DATASKYDD_ENCRYPTION_KEYS", f"t2:{'b8' * 32}")
    keyring_module.reset()
    with pytest.raises(KeyringError, match="'t1', which is not configured"):
        keyring().open_text(token, "c")


def test_the_embedded_default_creates_a_private_key_file_and_rotation_adds_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATASKYDD_ENCRYPTION_KEYS")
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    keyring_module.reset()
    first = keyring()
    assert first.active == "k1"
    key_file = tmp_path / "keys" / "encryption" / "k1.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    token = first.seal_text("v", "c")
    assert add_key() == "k2"
    keyring_module.reset()
    second = keyring()
    assert second.active == "k2"
    assert second.open_text(token, "c") == "v"
