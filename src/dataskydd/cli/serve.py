"""``dataskydd serve`` and ``dataskydd demo``: the notice pages and the API over HTTP.

FastAPI and uvicorn are imported inside the commands, so every other command starts fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from dataskydd.cli.common import console, err_console, load_or_exit

HOST_HELP = "Address to listen on; 0.0.0.0 makes the pages reachable from other machines."
PROGRAMME_HELP = (
    "Programme directory or YAML file (default: env DATASKYDD_PROGRAMME, else the bundled "
    "swedish-lender template)."
)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", envvar="DATASKYDD_HOST", help=HOST_HELP),
    port: int = typer.Option(8000, "--port", envvar="DATASKYDD_PORT", help="Port to listen on."),
    programme: Path | None = typer.Option(None, "--programme", help=PROGRAMME_HELP),
    reload: bool = typer.Option(
        False, "--reload/--no-reload", help="Restart when the code changes (development)."
    ),
) -> None:
    """Serve the published notice (sv/en), its history and the API."""
    if programme is not None:
        # The app (and, with --reload, its fresh processes) reads the programme from here.
        os.environ["DATASKYDD_PROGRAMME"] = str(programme)
    _run(host, port, programme, reload, banner="dataskydd is serving")


def _run(host: str, port: int, programme: Path | None, reload: bool, *, banner: str) -> None:
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from dataskydd.settings import get_settings
    from dataskydd.store.engine import display_url
    from dataskydd.web.logs import log_config

    settings = get_settings()
    address = f"http://{_display_host(host)}:{port}/"
    message = f"{banner}: {address} (notice sv/en, API docs at /api/docs)"
    if reload:
        # Each restart builds the app anew from the environment.
        console.print(message)
        uvicorn.run(
            "dataskydd.web.app:create_app",
            factory=True,
            host=host,
            port=port,
            reload=True,
            reload_dirs=[str(Path(__file__).resolve().parent.parent)],
            log_config=log_config(),  # the access log drops query strings (identities)
        )
        return

    from dataskydd.web.app import create_app

    loaded = load_or_exit(programme)
    try:
        app = create_app(settings, loaded)
    except SQLAlchemyError as exc:
        err_console.print(f"[bold red]error:[/] the app store {display_url()} failed: {exc}")
        raise typer.Exit(1) from None
    console.print(f"[dim]store: {display_url()}[/]")
    console.print(message)
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config())


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    """Add this module's commands to the dataskydd command."""
    app.command("serve")(serve)
