"""The web face: the published notice as pages (sv/en), its history, and the public API.

A thin layer over ``programme`` and ``store``: routes read published versions and render
them; nothing here decides anything about the programme itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataskydd.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing dataskydd.web (e.g. from the CLI) does not load FastAPI.
    if name == "create_app":
        from dataskydd.web.app import create_app

        return create_app
    raise AttributeError(name)
