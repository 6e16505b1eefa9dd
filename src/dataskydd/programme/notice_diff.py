"""What changed between two versions of the notice, section by section and word by word.

Sections are the parts between ``#``/``##`` headings; they are paired by title, so a new
section in the middle shows as added instead of making every later section look changed.
Within a changed section the words are compared, keeping the whitespace, so the result can
be shown as the text itself with insertions and deletions marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

ChunkKind = Literal["equal", "insert", "delete"]
SectionStatus = Literal["unchanged", "changed", "added", "removed"]

_HEADING = re.compile(r"^(#{1,2}) +(.+?) *#*$")
_TOKEN = re.compile(r"\s+|[^\s]+")
_SUBHEADING = re.compile(r"^#{3,6} +", re.MULTILINE)
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")


@dataclass(frozen=True)
class Chunk:
    kind: ChunkKind
    text: str


@dataclass(frozen=True)
class Section:
    """One part of a notice's Markdown: its heading (without ``#``) and the text under it."""

    title: str
    text: str


@dataclass(frozen=True)
class SectionDiff:
    title: str
    status: SectionStatus
    chunks: list[Chunk] = field(default_factory=list)
    old_title: str | None = None  # set when the heading itself was changed

    @property
    def inserted_words(self) -> int:
        return sum(len(c.text.split()) for c in self.chunks if c.kind == "insert")

    @property
    def deleted_words(self) -> int:
        return sum(len(c.text.split()) for c in self.chunks if c.kind == "delete")


@dataclass(frozen=True)
class NoticeDiff:
    sections: list[SectionDiff]

    def count(self, status: SectionStatus) -> int:
        return sum(1 for s in self.sections if s.status == status)

    @property
    def changed(self) -> int:
        """Sections that differ in any way: changed, added or removed."""
        return len(self.sections) - self.count("unchanged")

    @property
    def identical(self) -> bool:
        return self.changed == 0


def split_sections(markdown: str) -> list[Section]:
    """The notice's parts: the title with the introduction, then each ``##`` section."""
    sections: list[Section] = []
    title, lines = "", list[str]()
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            if title or any(x.strip() for x in lines):
                sections.append(Section(title, "\n".join(lines).strip()))
            title, lines = match[2].strip(), []
        else:
            lines.append(line)
    if title or any(x.strip() for x in lines):
        sections.append(Section(title, "\n".join(lines).strip()))
    return sections


def readable(markdown: str) -> str:
    """Markdown as a reader sees it: no heading marks or bold stars; links show their target
    only when it differs from their text, so a changed address still shows as a change."""

    def link(match: re.Match[str]) -> str:
        text, target = match[1], match[2]
        return text if target in (text, f"mailto:{text}") else f"{text} ({target})"

    text = _SUBHEADING.sub("", markdown)
    text = _STRONG.sub(r"\1", text)
    text = _LINK.sub(link, text)
    return _AUTOLINK.sub(r"\1", text)


def diff_words(old: str, new: str) -> list[Chunk]:
    """Word-level differences, whitespace kept, adjacent chunks of one kind merged."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    chunks: list[Chunk] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(chunks, "equal", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            _append(chunks, "delete", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            _append(chunks, "insert", "".join(b[j1:j2]))
    return chunks


def _append(chunks: list[Chunk], kind: ChunkKind, text: str) -> None:
    if not text:
        return
    if chunks and chunks[-1].kind == kind:
        chunks[-1] = Chunk(kind, chunks[-1].text + text)
    else:
        chunks.append(Chunk(kind, text))


def diff_notices(old_markdown: str, new_markdown: str) -> NoticeDiff:
    """Compare two versions of the notice, section by section, as a reader sees them."""
    old = [Section(s.title, readable(s.text)) for s in split_sections(old_markdown)]
    new = [Section(s.title, readable(s.text)) for s in split_sections(new_markdown)]
    matcher = SequenceMatcher(None, [s.title for s in old], [s.title for s in new], autojunk=False)
    result: list[SectionDiff] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [_compare(o, n) for o, n in zip(old[i1:i2], new[j1:j2], strict=True)]
            continue
        result += _align(old[i1:i2], new[j1:j2])
    return NoticeDiff(result)


def _align(olds: list[Section], news: list[Section]) -> list[SectionDiff]:
    """Sections whose titles differ: pair those that are alike (renamed), the rest are
    removed or added, keeping the order of the new notice."""
    result: list[SectionDiff] = []
    i = j = 0
    while i < len(olds) or j < len(news):
        if i < len(olds) and j < len(news) and _alike(olds[i], news[j]):
            result.append(_compare(olds[i], news[j]))
            i, j = i + 1, j + 1
        elif i < len(olds) and (j >= len(news) or not any(_alike(olds[i], n) for n in news[j:])):
            result.append(SectionDiff(olds[i].title, "removed", [Chunk("delete", olds[i].text)]))
            i += 1
        else:
            result.append(SectionDiff(news[j].title, "added", [Chunk("insert", news[j].text)]))
            j += 1
    return result


def _alike(old: Section, new: Section) -> bool:
    titles = SequenceMatcher(None, old.title, new.title).ratio()
    texts = SequenceMatcher(None, old.text.split(), new.text.split(), autojunk=False).ratio()
    return titles >= 0.6 or texts >= 0.6


def _compare(old: Section, new: Section) -> SectionDiff:
    renamed = old.title if old.title != new.title else None
    if old.text == new.text and renamed is None:
        return SectionDiff(new.title, "unchanged", [Chunk("equal", new.text)])
    return SectionDiff(new.title, "changed", diff_words(old.text, new.text), renamed)
