"""Signing in to the console and out again, and the overview a member of staff lands on.

A refused sign-in says :data:`dataskydd.auth.staff.LOGIN_FAILED` whatever the reason (an
unknown name, a wrong password, a locked or disabled account); only the audit log tells the
reasons apart. The login form has a CSRF token too, before any session exists: the
``ds_login`` cookie holds a random value and the form its HMAC, so another site cannot sign
a browser in to an account of its choosing.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from dataskydd.auth import staff
from dataskydd.store.engine import session_scope
from dataskydd.web.console.session import (
    COOKIE,
    LOGIN,
    PATH,
    ConsoleRoute,
    SiteDep,
    Staff,
    clear_session_cookie,
    posting,
    render,
    require,
    safe_back,
    see_other,
    set_session_cookie,
)
from dataskydd.web.console.texts import text

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

LOGIN_COOKIE = "ds_login"
LOGIN_COOKIE_SECONDS = 3600
# A form field is not a place for a megabyte: longer input is cut before it is looked at.
MAX_FIELD = 1100


@router.get("")
def overview(request: Request, member: Annotated[Staff, Depends(require())]) -> Response:
    return render(request, "console/home.html", member, title=text("home"), active="home")


@router.get("/login")
def login_form(request: Request, site: SiteDep, next: str = "") -> Response:
    token = request.cookies.get(COOKIE, "")
    if token:
        with site.session() as session:
            if staff.session_user(session, token) is not None:
                return see_other(next if safe_back(next) else PATH)
    message = text("logged_out") if request.query_params.get("out") else None
    return _login_page(request, next=next, info=message)


@router.post("/login")
def login(
    request: Request,
    site: SiteDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    if not staff.check_csrf(request.cookies.get(LOGIN_COOKIE, ""), csrf):
        return _login_page(request, next=next, error=text("login_expired"), status_code=403)
    try:
        with session_scope(site.engine, write=True) as session:
            user = staff.authenticate(session, username[:MAX_FIELD], password[:MAX_FIELD])
    except staff.LoginFailed:
        return _login_page(request, next=next, error=staff.LOGIN_FAILED)
    with session_scope(site.engine, write=True) as session:
        token = staff.start_session(session, user)
    response = see_other(next if safe_back(next) else PATH)
    set_session_cookie(response, request, token)
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN)
    return response


@router.post("/logout")
def logout(
    request: Request, site: SiteDep, member: Annotated[Staff, Depends(posting())]
) -> Response:
    with session_scope(site.engine, write=True) as session:
        staff.end_session(session, member.token)
    response = see_other(f"{LOGIN}?out=1")
    clear_session_cookie(response, request)
    return response


def _login_page(
    request: Request,
    *,
    next: str,
    error: str | None = None,
    info: str | None = None,
    status_code: int = 200,
) -> Response:
    """The form, with a new login token (cookie and field) each time it is shown."""
    secret = secrets.token_urlsafe(32)
    response = render(
        request,
        "console/login.html",
        None,
        title=text("login_title"),
        login_csrf=staff.csrf_token(secret),
        next=next if safe_back(next) else "",
        login_error=error,
        info=info,
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        secret,
        max_age=LOGIN_COOKIE_SECONDS,
        path=LOGIN,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response
