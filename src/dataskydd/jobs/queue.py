"""The job queue: which broker, the jobs it runs, and a worker that runs in-process or alone."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import Engine

from dataskydd.cases import execution
from dataskydd.programme import Programme, load_programme, load_template
from dataskydd.settings import Settings, get_settings
from dataskydd.store.engine import make_engine

log = logging.getLogger("dataskydd.jobs")


def broker(settings: Settings) -> Huey:
    """Redis when ``DATASKYDD_JOBS_URL`` names it, otherwise SQLite in the data directory."""
    url = os.environ.get("DATASKYDD_JOBS_URL", "")
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("dataskydd", url=url, utc=True)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url:
        raise ValueError("DATASKYDD_JOBS_URL: expected redis://… or sqlite:///path")
    else:
        path = settings.data_dir / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("dataskydd", filename=str(path.resolve()), utc=True)


@dataclass
class Runtime:
    """What a job needs, made once per worker process."""

    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.effective_database_url)

    @cached_property
    def programme(self) -> Programme:
        if self.settings.programme:
            return load_programme(self.settings.programme)
        return load_template(self.settings.template)

    @property
    def datamap_dir(self) -> Path | None:
        chosen = self.settings.datamap or self.settings.data_dir / "datamap"
        return chosen if chosen.is_dir() else None


class Jobs:
    """The queue with its two jobs: execute a request, and find requests that stalled."""

    def __init__(self, settings: Settings | None = None, huey: Huey | None = None) -> None:
        self.runtime = Runtime(settings or get_settings())
        self.huey = huey or broker(self.runtime.settings)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"

        @self.huey.task(retries=3, retry_delay=10, name="execute_request")  # type: ignore[untyped-decorator]
        def execute_request(request_id: str) -> str:
            outcome = execution.execute(
                self.runtime.engine,
                request_id,
                worker=f"{self.worker_id}:{threading.get_ident()}",
                programme=self.runtime.programme,
                datamap_dir=self.runtime.datamap_dir,
            )
            return outcome.reason

        @self.huey.periodic_task(crontab(minute="*"), name="reconcile")  # type: ignore[untyped-decorator]
        def reconcile() -> int:
            return self.reconcile()

        self._execute = execute_request

    def enqueue(self, request_id: str) -> None:
        """Ask a worker to execute an approved request (the reconciler retries a lost ask)."""
        self._execute(request_id)

    def reconcile(self) -> int:
        """Queue every decided request that no worker holds; returns how many."""
        stalled = execution.stalled(self.runtime.engine)
        for request_id in stalled:
            self._execute(request_id)
        if stalled:
            log.info("reconciler queued %d stalled request(s)", len(stalled))
        return len(stalled)

    def consumer(self, workers: int = 2, *, in_process: bool = False) -> Consumer:
        kind: Any = _InProcessConsumer if in_process else Consumer
        consumer: Consumer = kind(self.huey, workers=workers, worker_type="thread", periodic=True)
        return consumer


class _InProcessConsumer(Consumer):  # type: ignore[misc]
    """A consumer started beside the web app: its threads run jobs; signals stay the app's."""

    def _set_signal_handlers(self) -> None:
        pass
