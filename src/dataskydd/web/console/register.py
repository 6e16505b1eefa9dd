"""The register of processing activities (Art. 30) in the console, and its printable file.

The page shows what :func:`dataskydd.programme.register_formats.render_html` lays out, inside
the console's frame: its own ``<style>`` and the column widths it sets inline are left out,
since the console runs under a policy that allows no inline styles (``console.css`` styles
the same classes). The printable download is that renderer's page as it is, a standalone
file to print, archive or send.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from dataskydd.auth.roles import Permission
from dataskydd.programme.register import build_register
from dataskydd.programme.register_formats import render_html
from dataskydd.programme.text import Language
from dataskydd.web.console.session import PATH, ConsoleRoute, SiteDep, Staff, render, require
from dataskydd.web.console.texts import text
from dataskydd.web.language import as_language

router = APIRouter(
    prefix=PATH,
    route_class=ConsoleRoute,
    include_in_schema=False,
    default_response_class=HTMLResponse,
)

Reader = Annotated[Staff, Depends(require(Permission.REGISTER_VIEW))]
_COLGROUP = re.compile(r"<colgroup>.*?</colgroup>\n?", re.DOTALL)


@router.get("/register")
def register_page(request: Request, site: SiteDep, member: Reader, lang: str = "sv") -> Response:
    language = _language(lang)
    page = render_html(build_register(site.programme, language))
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    return render(
        request,
        "console/register.html",
        member,
        title=text("register_title"),
        active="register",
        language=language,
        # render_html escapes every value it lays out; only its inline widths are dropped.
        register_html=Markup(_COLGROUP.sub("", body)),
    )


@router.get("/register/printable")
def register_printable(site: SiteDep, member: Reader, lang: str = "sv") -> Response:
    language = _language(lang)
    page = render_html(build_register(site.programme, language))
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="register-{language}.html"',
            "Cache-Control": "no-store",
        },
    )


def _language(value: str) -> Language:
    return as_language(value) or "sv"
