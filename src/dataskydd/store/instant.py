"""One instant per transaction: every change a transaction records carries the same time.

The permission check reads facts "as of" an instant (``t <= now``). If each change of one
transaction took its own ``clock.now()``, a check whose instant fell between two of them
would see the first change and not the second, half a transaction, even though the
database showed it the whole. With one instant per transaction, a check sees all of a
committed transaction's changes (its instant is at or after the stamp) or none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dataskydd import clock

_KEY = "dataskydd.transaction_instant"


def transaction_instant(session: Session | Connection) -> datetime:
    """The instant of ``session``'s current transaction, taken at its first call."""
    if isinstance(session, Session):
        session.connection()  # begins the transaction now if it has not begun
    transaction = session.get_transaction()
    if transaction is None:
        # A Connection outside a transaction: the next statement begins (and is) its own.
        return clock.now()
    stamped = session.info.get(_KEY)
    if stamped is not None and stamped[0] is transaction:
        instant: datetime = stamped[1]
        return instant
    instant = clock.now()
    session.info[_KEY] = (transaction, instant)
    return instant
