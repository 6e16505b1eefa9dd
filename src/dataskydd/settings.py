"""Settings from the environment (prefix ``DATASKYDD_``); secrets also from ``*_FILE`` files.

Secrets never live in YAML: the database URL comes from ``DATASKYDD_DATABASE_URL`` or from
the file that ``DATASKYDD_DATABASE_URL_FILE`` names (a Docker or Kubernetes secret).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DATASKYDD_", extra="ignore")

    data_dir: Path = Path(".dataskydd")
    database_url: str | None = None
    programme: Path | None = None  # a programme directory; unset means the bundled template
    template: str = "swedish-lender"
    datamap: Path | None = None  # a directory of data map YAML files, one per system
    host: str = "127.0.0.1"
    port: int = 8000
    # The embedded default runs approved requests in the web process; production runs
    # `dataskydd worker` processes instead and sets DATASKYDD_JOBS_IN_PROCESS=false.
    jobs_in_process: bool = True

    def model_post_init(self, __context: object) -> None:
        if self.database_url is None:
            secret_file = os.environ.get("DATASKYDD_DATABASE_URL_FILE")
            if secret_file:
                self.database_url = Path(secret_file).read_text(encoding="utf-8").strip()

    @property
    def effective_database_url(self) -> str:
        """The app store: PostgreSQL when configured, otherwise SQLite in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dataskydd.db').resolve()}"


def get_settings() -> Settings:
    return Settings()
