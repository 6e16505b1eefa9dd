"""Which language a visitor reads: ``?lang=`` > the ``lang`` cookie > Accept-Language > sv."""

from __future__ import annotations

from starlette.convertors import Convertor
from starlette.requests import Request

from dataskydd.programme.text import LANGUAGES, Language

DEFAULT: Language = "sv"
COOKIE = "lang"


def as_language(value: str | None) -> Language | None:
    """``value`` if it names a supported language ("sv", "en", also "en-GB"), else None."""
    if not value:
        return None
    primary = value.strip().lower().split("-", 1)[0]
    for language in LANGUAGES:
        if primary == language:
            return language
    return None


def parse_accept_language(header: str) -> list[tuple[str, float]]:
    """The language ranges of an Accept-Language header with their q-values, best first."""
    ranges: list[tuple[int, str, float]] = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag, quality = fields[0], 1.0
        if not tag:
            continue
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((index, tag, quality))
    # Stable: equal q-values keep the visitor's order.
    ranges.sort(key=lambda r: (-r[2], r[0]))
    return [(tag, quality) for _, tag, quality in ranges]


def from_accept_language(header: str | None) -> Language | None:
    for tag, quality in parse_accept_language(header or ""):
        language = as_language(tag)
        if quality > 0 and language is not None:
            return language
    return None


def negotiate(request: Request) -> Language:
    """The language for a page whose address does not name one."""
    return (
        as_language(request.query_params.get("lang"))
        or as_language(request.cookies.get(COOKIE))
        or from_accept_language(request.headers.get("accept-language"))
        or DEFAULT
    )


def other(language: Language) -> Language:
    return "en" if language == "sv" else "sv"


class LanguageConvertor(Convertor[str]):
    """Path segment ``{lang:lang}``: only a supported language matches, anything else 404s."""

    regex = "|".join(LANGUAGES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value
