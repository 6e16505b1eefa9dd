"""The API documentation page: Swagger UI, started by a script file instead of inline code."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"

# Swagger UI comes from its CDN and styles elements inline; nothing else is allowed.
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' {SWAGGER}/; style-src 'self' 'unsafe-inline' "
    f"{SWAGGER}/; img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dataskydd API</title>
<link rel="stylesheet" href="{SWAGGER}/swagger-ui.css">
</head>
<body>
<main id="swagger-ui"><p>The API description is at <a href="/api/openapi.json">/api/openapi.json</a>.</p></main>
<script src="{SWAGGER}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/api/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Content-Security-Policy": DOCS_POLICY})
