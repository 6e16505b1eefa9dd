"""Bearer tokens on the API: ``Depends(require_scope("permissions:read"))``.

``401`` with ``WWW-Authenticate: Bearer`` when the request carries no token, or one that is
unknown or revoked; ``403`` when the token is valid but lacks the scope (RFC 6750). The
token is looked up in the store on every request (see :mod:`dataskydd.auth.tokens` for why
that is cheap), so a revocation is in force from the next request on: nothing about a token
is cached. Nothing here logs or echoes the token.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.security import HTTPBearer

from dataskydd.auth import tokens
from dataskydd.auth.tokens import SCOPES, VerifiedToken
from dataskydd.web.reading import Reader

REALM = "dataskydd"
SCHEME = "bearer"
DESCRIPTION = (
    "An API token from `dataskydd token create NAME --scope SCOPE`, sent as "
    "`Authorization: Bearer dsk_…`. Scopes: "
    + "; ".join(f"`{scope}`: {what}" for scope, what in SCOPES.items())
    + "."
)

# What an endpoint that needs a token may answer besides its own responses (for OpenAPI).
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or a token that is unknown or revoked."},
    403: {"description": "The token lacks the scope this endpoint needs."},
}


class ScopedBearer(HTTPBearer):
    """The bearer scheme (for OpenAPI) and the check itself, in one dependency.

    One class rather than a function depending on :class:`HTTPBearer`: FastAPI resolves one
    dependency instead of two on every request of the hot path.
    """

    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; the scopes are: {', '.join(SCOPES)}")
        super().__init__(
            scheme_name=SCHEME, bearerFormat="dsk_…", description=DESCRIPTION, auto_error=False
        )
        self.scope = scope
        self.challenge = f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'

    async def __call__(self, request: Request) -> VerifiedToken:  # type: ignore[override]
        secret = self.secret(request)
        reader: Reader = request.app.state.reader
        return self.judge(await reader.run(tokens.verify, secret))

    def secret(self, request: Request) -> str:
        """The bearer token the request carries; 401 when it carries none."""
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise _unauthorised("send an API token: Authorization: Bearer dsk_…", None)
        return secret

    def judge(self, found: VerifiedToken | None) -> VerifiedToken:
        """The token looked up (``tokens.verify``), if it holds the scope; else 401 or 403."""
        if found is None:
            raise _unauthorised("the token is unknown or has been revoked", "invalid_token")
        if not found.allows(self.scope):
            raise HTTPException(
                403,
                f"this token does not have the scope '{self.scope}'",
                headers={"WWW-Authenticate": self.challenge},
            )
        return found


class DeferredBearer(ScopedBearer):
    """The token's secret only: the route looks it up itself and calls :meth:`judge`.

    For a route whose own work is one read of the store: the token is looked up in that same
    read (one hop to a read thread on PostgreSQL instead of two). The route must judge the
    token before it answers anything else.
    """

    async def __call__(self, request: Request) -> str:  # type: ignore[override]
        return self.secret(request)


def require_scope(scope: str) -> ScopedBearer:
    """A dependency: the request's token, verified and holding ``scope``; else 401/403."""
    return ScopedBearer(scope)


def _unauthorised(detail: str, error: str | None) -> HTTPException:
    challenge = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
    return HTTPException(401, detail, headers={"WWW-Authenticate": challenge})
