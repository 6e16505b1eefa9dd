"""Double-submit CSRF tokens for the public forms (the privacy centre).

A visitor without an account has no session to bind a token to, so the token is a random
value kept in a cookie (``ds_csrf``: SameSite=Strict, HttpOnly, Secure over https) and
repeated in a hidden field of every form. A POST is accepted only when the field matches the
cookie; another site can make a browser send the cookie, but cannot read it to fill the field.
Staff pages use a session-bound token instead (``dataskydd.auth.staff``).

Usage::

    token = csrf.token(request)             # render it as <input name="csrf_token">
    csrf.remember(response, request, token)  # sets the cookie if the visitor lacks it
    form = await csrf.read_form(request)     # a FastAPI dependency; form.valid says if it matched
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import Response

COOKIE = "ds_csrf"
FIELD = "csrf_token"
# What token() makes: 32 random bytes, URL-safe base64 without padding.
_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A form field longer than this is cut: no public form needs more (the longest is a message).
MAX_FIELD = 10_000


def _cookie(request: Request) -> str | None:
    value = request.cookies.get(COOKIE)
    return value if value and _WELL_FORMED.match(value) else None


def token(request: Request) -> str:
    """The visitor's token: the one their cookie holds, or a new one to :func:`remember`."""
    return _cookie(request) or secrets.token_urlsafe(32)


def remember(response: Response, request: Request, value: str) -> None:
    """Set the cookie to ``value`` unless the visitor already sends it (a browser session)."""
    if _cookie(request) == value:
        return
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )


def matches(request: Request, submitted: str | None) -> bool:
    """Whether ``submitted`` (the hidden field) is the cookie's token, in constant time."""
    cookie = _cookie(request)
    if cookie is None or not submitted:
        return False
    return hmac.compare_digest(cookie.encode("ascii"), submitted.encode("utf-8", "replace"))


@dataclass(frozen=True)
class CheckedForm:
    """A posted form and whether its token matched; read fields as text only."""

    data: FormData
    valid: bool

    def get(self, name: str) -> str:
        value = self.data.get(name)
        return value.strip()[:MAX_FIELD] if isinstance(value, str) else ""

    def getlist(self, name: str) -> list[str]:
        return [v.strip()[:MAX_FIELD] for v in self.data.getlist(name) if isinstance(v, str)]


async def read_form(request: Request) -> CheckedForm:
    """FastAPI dependency: the posted form, with ``valid`` False unless the token matched."""
    data = await request.form(max_files=0, max_fields=100)
    submitted = data.get(FIELD)
    return CheckedForm(data, matches(request, submitted if isinstance(submitted, str) else None))
