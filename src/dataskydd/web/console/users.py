"""Staff accounts, for the DPO: every account, a new one with its role, disabling one.

The initial password is checked against the policy (``auth/passwords.py``) and never shown
again, nor is any message about it more than the rule it breaks. Disabling ends the
account's sessions at once. The DPO cannot disable their own account here: a console with no
DPO left could not be managed from the console.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from dataskydd import clock
from dataskydd.auth import staff
from dataskydd.auth.passwords import POLICY, PasswordError
from dataskydd.auth.roles import Permission, Role
from dataskydd.store.engine import session_scope
from dataskydd.web.console.session import (
    PATH,
    ConsoleError,
    ConsoleRoute,
    SiteDep,
    Staff,
    posting,
    render,
    require,
    see_other,
)
from dataskydd.web.console.texts import text
from dataskydd.web.site import Site

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

Manager = Annotated[Staff, Depends(require(Permission.USERS_MANAGE))]
ManagerPost = Annotated[Staff, Depends(posting(Permission.USERS_MANAGE))]
Text = Annotated[str, Form()]


@router.get("/users")
def users_page(request: Request, site: SiteDep, member: Manager) -> Response:
    done = request.query_params.get("done", "")
    who = staff.USERNAME_PATTERN.fullmatch(request.query_params.get("user", ""))
    message = None
    if who and done in ("user_created", "user_disabled", "already_disabled"):
        message = text(done, username=who.group(0))
    return _page(request, site, member, message=message)


@router.post("/users")
def create_user(
    request: Request,
    site: SiteDep,
    member: ManagerPost,
    username: Text = "",
    display_name: Text = "",
    role: Text = "",
    password: Text = "",
) -> Response:
    try:
        with session_scope(site.engine, write=True) as session:
            user = staff.create_user(
                session, username, display_name, role, password, actor=member.name
            )
    except (staff.StaffError, PasswordError) as error:
        # The message names the rule broken, never the password.
        return _page(request, site, member, error=str(error), status_code=422)
    return see_other(f"{PATH}/users?done=user_created&user={user.username}")


@router.post("/users/{username}/disable")
def disable_user(request: Request, username: str, site: SiteDep, member: ManagerPost) -> Response:
    name = username.strip().lower()
    if name == member.name:
        return _page(request, site, member, error=text("not_yourself"), status_code=409)
    try:
        with session_scope(site.engine, write=True) as session:
            user, changed = staff.disable_user(session, name, actor=member.name)
    except staff.NoSuchUser:
        raise ConsoleError(404, "no_user", member) from None
    done = "user_disabled" if changed else "already_disabled"
    return see_other(f"{PATH}/users?done={done}&user={user.username}")


def _page(
    request: Request,
    site: Site,
    member: Staff,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    with site.session() as session:
        accounts = staff.list_users(session)
    return render(
        request,
        "console/users.html",
        member,
        title=text("users_title"),
        active="users",
        accounts=accounts,
        now=clock.now(),
        roles=[role.value for role in Role],
        policy=POLICY,
        message=message,
        error=error,
        status_code=status_code,
    )
