"""Bearer tokens on the API: ``Depends(require_scope("permissions:read"))``.

``401`` with ``WWW-Authenticate: Bearer`` when the request carries no token, or one that is
unknown or revoked; ``403`` when the token is valid but lacks the scope (RFC 6750). The
token is looked up in the store on every request (see :mod:`dataskydd.auth.tokens` for why
that is cheap), so a revocation is in force from the next request on. Nothing here logs
or echoes the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from dataskydd.auth import tokens
from dataskydd.auth.tokens import SCOPES, TokenInfo
from dataskydd.web.site import Site

REALM = "dataskydd"

bearer = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="dsk_…",
    description=(
        "An API token from `dataskydd token create NAME --scope SCOPE`, sent as "
        "`Authorization: Bearer dsk_…`. Scopes: "
        + "; ".join(f"`{scope}`: {what}" for scope, what in SCOPES.items())
        + "."
    ),
    auto_error=False,
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]

# What an endpoint that needs a token may answer besides its own responses (for OpenAPI).
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or a token that is unknown or revoked."},
    403: {"description": "The token lacks the scope this endpoint needs."},
}


def _unauthorised(detail: str, error: str | None) -> HTTPException:
    challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})


def require_scope(scope: str) -> Callable[..., Any]:
    """A dependency: the request's token, verified and holding ``scope``; else 401/403."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; the scopes are: {', '.join(SCOPES)}")
    forbidden = HTTPException(
        403,
        f"this token does not have the scope '{scope}'",
        headers={
            "WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", '
            f'scope="{scope}"'
        },
    )

    async def verified_token(request: Request, credentials: Credentials) -> TokenInfo:
        if credentials is None:
            raise _unauthorised("send an API token: Authorization: Bearer dsk_…", None)
        site: Site = request.app.state.site
        found = await run_in_threadpool(_verify, site, credentials.credentials)
        if found is None:
            raise _unauthorised("the token is unknown or has been revoked", "invalid_token")
        if not found.allows(scope):
            raise forbidden
        return found

    return verified_token


def _verify(site: Site, secret: str) -> TokenInfo | None:
    with site.engine.connect() as connection:
        return tokens.verify(connection, secret)
