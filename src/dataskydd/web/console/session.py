"""Who is signed in to the console, what they may do, and how its pages are answered.

The session is the ``ds_session`` cookie: HttpOnly, SameSite=Strict, Secure over https, and
sent only to ``/console``. It holds the token from :func:`dataskydd.auth.staff.start_session`;
the store keeps only its hash. :func:`current_staff` is the dependency every console page
starts from: no valid session, and the visitor is sent to the login page.

Every POST form carries ``csrf``, the HMAC of the session token
(:func:`dataskydd.auth.staff.csrf_token`); :func:`posting` checks it with ``check_csrf`` and
answers 403 without it. Permissions are checked on every route through
:func:`dataskydd.auth.roles.allowed`; a refusal is a 403 page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from dataskydd.auth import staff
from dataskydd.auth.roles import Permission, allowed, can_see_request
from dataskydd.auth.staff import StaffUser
from dataskydd.clock import LOCAL_ZONE
from dataskydd.web.console.texts import text
from dataskydd.web.site import Site, get_site

COOKIE = "ds_session"
PATH = "/console"
LOGIN = "/console/login"
SESSION_SECONDS = int(staff.SESSION_LIFETIME.total_seconds())

# What the navigation shows, and the permissions that show it (any one of them).
NAVIGATION: tuple[tuple[str, str, tuple[Permission, ...]], ...] = (
    ("requests", "/console/requests",
     (Permission.REQUESTS_VIEW_ALL, Permission.REQUESTS_VIEW_ASSIGNED)),
    ("register", "/console/register", (Permission.REGISTER_VIEW,)),
    ("datamap", "/console/datamap", (Permission.DATAMAP_VIEW,)),
    ("audit", "/console/audit", (Permission.AUDIT_VIEW,)),
    ("users", "/console/users", (Permission.USERS_MANAGE,)),
)
SiteDep = Annotated[Site, Depends(get_site)]


@dataclass(frozen=True)
class Staff:
    """A signed-in member of staff and the session they came with."""

    user: StaffUser
    token: str

    @property
    def csrf(self) -> str:
        return staff.csrf_token(self.token)

    @property
    def name(self) -> str:
        """Who a step is recorded as: the username, which assignment names too."""
        return self.user.username

    def may(self, *permissions: Permission) -> bool:
        return any(allowed(self.user.role, p) for p in permissions)

    def sees(self, assignee: str | None) -> bool:
        """The need-to-know rule: may this person see a request assigned to ``assignee``?"""
        return can_see_request(self.user.role, self.user.username, assignee)


class LoginRequired(Exception):
    """No valid session: the answer is a redirect to the login page."""

    def __init__(self, back_to: str | None) -> None:
        super().__init__("login required")
        self.back_to = back_to


class ConsoleError(Exception):
    """A page that cannot be shown: 403, 404, with a text key saying why."""

    def __init__(self, status: int, key: str, member: Staff | None = None) -> None:
        super().__init__(key)
        self.status, self.key, self.member = status, key, member


class ConsoleRoute(APIRoute):
    """The console's routes: refusals become pages, and nothing a console sends is cached."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except LoginRequired as needed:
                response = RedirectResponse(login_url(needed.back_to), status_code=303)
            except ConsoleError as error:
                response = render(
                    request,
                    "console/error.html",
                    error.member,
                    title=text(f"{'forbidden' if error.status == 403 else 'not_found'}_title"),
                    refusal=text(error.key),
                    status_code=error.status,
                )
            response.headers["Cache-Control"] = "no-store"
            return response

        return handler


def login_url(back_to: str | None) -> str:
    if back_to and safe_back(back_to):
        return f"{LOGIN}?next={quote(back_to, safe='/')}"
    return LOGIN


def safe_back(path: str) -> bool:
    """Only a console page of this site: never another host (no open redirect)."""
    return (
        path.startswith(PATH)
        and not path.startswith("//")
        and "\\" not in path
        and "//" not in path
        and not path.startswith(LOGIN)
    )


# -- dependencies -------------------------------------------------------------------------


def current_staff(request: Request, site: SiteDep) -> Staff:
    """The signed-in member of staff; a redirect to the login page if there is none."""
    token = request.cookies.get(COOKIE, "")
    user = None
    if token:
        with site.session() as session:
            user = staff.session_user(session, token)
    if user is None:
        raise LoginRequired(request.url.path if request.method == "GET" else None)
    return Staff(user, token)


StaffDep = Annotated[Staff, Depends(current_staff)]


def require(*permissions: Permission) -> Callable[[Staff], Staff]:
    """A dependency: the signed-in member of staff, holding any of ``permissions`` (else 403).

    With no permission named, any signed-in member of staff (their own overview, signing out).
    """

    def dependency(member: StaffDep) -> Staff:
        if permissions and not member.may(*permissions):
            raise ConsoleError(403, "forbidden", member)
        return member

    return dependency


def posting(*permissions: Permission) -> Callable[[str, Staff], Staff]:
    """:func:`require` for a form: the form's ``csrf`` must be this session's (else 403)."""
    permitted = require(*permissions)

    # A default, not an annotation: annotations are strings here, read in the module's
    # namespace, where ``permitted`` (a local) is not.
    def dependency(csrf: Annotated[str, Form()] = "", member: Staff = Depends(permitted)) -> Staff:
        if not staff.check_csrf(member.token, csrf):
            raise ConsoleError(403, "csrf", member)
        return member

    return dependency


# -- answers ------------------------------------------------------------------------------


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=SESSION_SECONDS,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE, path=PATH, httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )


def navigation(member: Staff | None) -> list[tuple[str, str]]:
    if member is None:
        return []
    return [("home", PATH)] + [
        (key, href) for key, href, permissions in NAVIGATION if member.may(*permissions)
    ]


def render(
    request: Request,
    template: str,
    member: Staff | None,
    *,
    title: str,
    active: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A console page: the frame (navigation for the role, sign-out form) around ``template``."""
    site = get_site(request)
    response = site.templates.TemplateResponse(
        request,
        template,
        {
            "t": text,
            "when": local_time,
            "staff": member,
            "csrf": member.csrf if member else "",
            "nav": navigation(member),
            "active": active,
            "title": title,
            "organisation": site.programme.organisation.group_name,
            **context,
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )
    assert isinstance(response, HTMLResponse)
    return response


def local_time(moment: datetime | None) -> str:
    """A moment as staff in Stockholm read it: ``2026-05-04 13:37``."""
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M") if moment else ""


def see_other(path: str) -> RedirectResponse:
    """After a POST: the page to show next (303, so a reload does not post again)."""
    return RedirectResponse(path, status_code=303)
