"""The access letter as one standalone HTML page: no external files, readable and printable."""

from __future__ import annotations

from html import escape

from dataskydd.datamap.schema import DataMap
from dataskydd.programme.text import Language
from dataskydd.rights.access import AccessAnswer
from dataskydd.rights.formats.letter import (
    Block,
    Bullets,
    Grid,
    Heading,
    Letter,
    Paragraph,
    compose_letter,
)
from dataskydd.rights.letter_texts import say

# Inline, so the page is one file the person can keep; print rules keep tables readable.
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { margin-top: 1.5rem; } h4 { margin: 1rem 0 .4rem; }
.date { color: #555; }
.notice { border-left: 4px solid #b35900; background: #fff6ec; padding: .5rem .8rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin-bottom: 1rem; }
th, td { border: 1px solid #bbb; padding: .25rem .45rem; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
th { background: #f0f0f0; }
footer { margin-top: 2rem; color: #555; font-size: .85rem; }
@page { size: A4; margin: 18mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .table-wrap { overflow: visible; }
  thead { display: table-header-group; }
  tr, h2, h3, h4 { break-inside: avoid; } h2, h3, h4 { break-after: avoid; }
}
"""


def to_html(answer: AccessAnswer, language: Language, *, datamap: DataMap | None = None) -> str:
    """The letter to the person as a standalone HTML page in ``language``."""
    return render_letter_html(compose_letter(answer, language, datamap))


def render_letter_html(letter: Letter) -> str:
    body = "\n".join(_block(b) for b in letter.blocks)
    return f"""<!DOCTYPE html>
<html lang="{letter.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(letter.title)}</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>{escape(letter.title)}</h1>
<p class="date">{escape(say("date", letter.language))}: {escape(letter.date)}</p>
</header>
<main>
{body}
</main>
<footer><p>{escape(letter.colophon)}</p></footer>
</body>
</html>
"""


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        css = ' class="notice"' if block.notice else ""
        return f"<p{css}>{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{escape(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    return _grid(block)


def _grid(grid: Grid) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in grid.headers)
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in grid.rows
    )
    return (
        f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table></div>"
    )
