"""Stored notice Markdown to HTML, with heading anchors and a table of contents.

HTML in the Markdown is not passed through (``html`` off), so a programme text can never
put markup or scripts on the page; links keep markdown-it's safe-URL check.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    title: str


@dataclass(frozen=True)
class RenderedNotice:
    """The notice's title, its introduction (HTML), the sections (HTML) and their contents."""

    title: str
    introduction: str
    body: str
    toc: list[TocEntry]


def slug(text: str) -> str:
    """'Dina rättigheter' -> 'dina-rattigheter', for readable anchors in both languages."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "avsnitt"


def render_notice(markdown: str) -> RenderedNotice:
    tokens = _md.parse(markdown)
    toc: list[TocEntry] = []
    used: set[str] = set()
    title, first_section = "", len(tokens)
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        heading = _plain(inline)
        if token.tag == "h1" and not title:
            title = heading
            continue
        anchor = _unique(slug(heading), used)
        token.attrSet("id", anchor)
        if token.tag == "h2":
            toc.append(TocEntry(anchor, heading))
            first_section = min(first_section, index)
    start = 0
    # The page shows the title itself; leave the first h1 out of the introduction.
    if tokens and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        start = 3
    def render(part: list[Token]) -> str:
        return str(_md.renderer.render(part, _md.options, {}))

    return RenderedNotice(
        title=title,
        introduction=render(tokens[start:first_section]),
        body=render(tokens[first_section:]),
        toc=toc,
    )


def render_html(markdown: str) -> str:
    """Markdown to HTML with the same rules (for change summaries and the like)."""
    return str(_md.render(markdown))


def _plain(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or [] if child.type in ("text", "code_inline")
    ).strip()


def _unique(anchor: str, used: set[str]) -> str:
    candidate, n = anchor, 2
    while candidate in used:
        candidate, n = f"{anchor}-{n}", n + 1
    used.add(candidate)
    return candidate
