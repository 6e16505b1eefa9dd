"""The API documentation page: Swagger UI served from this process, with no CDN.

The assets come from the ``fastapi-offline`` package (Swagger UI 5, which reads the
OpenAPI 3.1 that FastAPI writes), so the page works on a closed network and its CSP can
stay 'self'. A script file starts it, so no inline script is needed either.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

ASSETS = "/api/docs/assets"

# Swagger UI styles elements inline; scripts and everything else come from here only.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dataskydd API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><p>The API description is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></main>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def mount_assets(app: FastAPI) -> None:
    """Serve the bundled Swagger UI files under :data:`ASSETS`."""
    directory = Path(str(resources.files("fastapi_offline").joinpath("static")))
    app.mount(ASSETS, StaticFiles(directory=directory), name="apidocs-assets")


@router.get("/api/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})
