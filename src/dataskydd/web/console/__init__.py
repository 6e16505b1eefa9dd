"""The admin console under ``/console``: staff only, server-rendered, no scripts.

``routers`` is what the app includes. Each module checks its permission on every route
through :func:`dataskydd.auth.roles.allowed` (``session.require``/``session.posting``), and
the request pages add the need-to-know rule of :func:`dataskydd.auth.roles.can_see_request`.
"""

from __future__ import annotations

from fastapi import APIRouter

from dataskydd.web.console import (
    actions,
    audit,
    datamap,
    findings,
    login,
    register,
    requests,
    users,
)

routers: tuple[APIRouter, ...] = (
    login.router,
    requests.router,
    actions.router,
    findings.router,
    register.router,
    datamap.router,
    audit.router,
    users.router,
)
