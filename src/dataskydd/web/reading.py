"""The API's hot path to the store: short reads on a connection kept by the thread doing them.

The permission check and its token check are one indexed statement each, a fraction of a
millisecond. Checking a connection out of the pool for each request, and hopping to a
thread of the event loop's default pool for each step, costs more than the statements, so:

- **SQLite** (the embedded store, a file in this process) is read on the event loop's own
  thread. The work is Python under the GIL either way, so a thread would add its hop and
  nothing else; a WAL reader never waits for a writer, so the loop is never held up by one.
- **PostgreSQL** (a server across a network) is read on a small pool of threads of our own,
  so the loop never waits on the network; each thread keeps one connection (fewer threads
  than the engine's pool holds, so no thread ever waits for a connection).

Every statement is a transaction of its own: SQLite's store connections work so already
(store/engine.py), and on PostgreSQL the kept connections are in AUTOCOMMIT, which spares
each request a BEGIN and a ROLLBACK, two of its four round trips. A read done here must
therefore need one snapshot per statement only (the permission check is one statement; its
token lookup another). Each read still ends with a rollback (a no-op in AUTOCOMMIT), so
nothing read here outlives the request that read it. A connection
that failed is thrown away, and the next read checks out a fresh one (PostgreSQL's pool
pings it first).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine

P = ParamSpec("P")
T = TypeVar("T")

# Below the engine's default pool (5 connections + 10 overflow), so no thread ever waits.
THREADS = 8


class Reader:
    """Runs ``fn(connection, ...)`` for the API; one per app, shared by its requests."""

    def __init__(self, engine: Engine, *, threads: int = THREADS) -> None:
        self.engine = engine
        self.inline = engine.dialect.name == "sqlite"
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: set[Connection] = set()
        self._executor = (
            None
            if self.inline
            else ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dataskydd-read")
        )

    async def run(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if self._executor is None:
            return self._call(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: self._call(fn, *args, **kwargs))

    def _call(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.engine.connect()
            if not self.inline:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            self._local.connection = connection
            with self._lock:
                self._open.add(connection)
        try:
            result = fn(connection, *args, **kwargs)
            connection.rollback()  # end the read: the next one sees every commit since
        except BaseException:
            self._discard(connection)
            raise
        return result

    def _discard(self, connection: Connection) -> None:
        self._local.connection = None
        with self._lock:
            self._open.discard(connection)
        try:
            connection.invalidate()
            connection.close()
        except Exception:  # already broken: nothing more to release
            pass

    def close(self) -> None:
        """Stop the threads and return every kept connection (at app shutdown)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        with self._lock:
            kept, self._open = self._open, set()
        for connection in kept:
            connection.close()
