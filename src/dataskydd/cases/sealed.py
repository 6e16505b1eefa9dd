"""A request's personal data, sealed in the row and opened for whoever may read it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dataskydd.encryption.keyring import Keyring, keyring
from dataskydd.identity.kinds import IdentityKind
from dataskydd.store.case_tables import RightsRequestRecord


def context(column: str, request_id: str) -> str:
    """The associated data binding a sealed value to its column and request."""
    return f"requests.{column}:{request_id}"


def seal_json(value: Any, column: str, request_id: str, ring: Keyring | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (ring or keyring()).seal_text(text, context(column, request_id))


def open_json(token: str, column: str, request_id: str, ring: Keyring | None = None) -> Any:
    return json.loads((ring or keyring()).open_text(token, context(column, request_id)))


@dataclass(frozen=True)
class Opened:
    """What a request's sealed columns hold."""

    identities: list[tuple[IdentityKind, str]]
    payload: dict[str, Any]
    decision_note: str | None
    extension_reason: str | None
    withheld: list[dict[str, Any]]


def open_request(row: RightsRequestRecord, ring: Keyring | None = None) -> Opened:
    """Open a request's sealed values (the caller has checked that its reader may see them)."""
    ring = ring or keyring()
    identities = [
        (IdentityKind(kind), value)
        for kind, value in open_json(row.identities, "identities", row.id, ring)
    ]
    return Opened(
        identities=identities,
        payload=open_json(row.payload, "payload", row.id, ring),
        decision_note=(
            open_json(row.decision_note, "decision_note", row.id, ring)
            if row.decision_note
            else None
        ),
        extension_reason=(
            open_json(row.extension_reason, "extension_reason", row.id, ring)
            if row.extension_reason
            else None
        ),
        withheld=open_json(row.withheld, "withheld", row.id, ring) if row.withheld else [],
    )
