"""A request's timeline: what happened, when, by whom (never with personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dataskydd import clock
from dataskydd.store.case_tables import RequestEventRecord


@dataclass(frozen=True)
class Event:
    at: datetime
    actor: str
    event: str
    note: str | None


def add_event(
    session: Session, request_id: str, actor: str, event: str, note: str | None = None
) -> None:
    session.add(
        RequestEventRecord(
            request_id=request_id, at=clock.now(), actor=actor, event=event, note=note
        )
    )


def timeline(session: Session, request_id: str) -> list[Event]:
    rows = session.scalars(
        select(RequestEventRecord)
        .where(RequestEventRecord.request_id == request_id)
        .order_by(RequestEventRecord.id)
    )
    return [Event(r.at, r.actor, r.event, r.note) for r in rows]
