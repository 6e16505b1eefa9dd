"""Finding identifiers in free text: chat logs, case notes, comment fields.

:class:`IdentityMatcher` looks for known people: it compiles the written forms of all their
identities into one regular expression, shaped as a trie so that the engine never tries
the same prefix twice, however many people it holds. :func:`find_personnummer_like` looks
for anyone: every run of digits shaped like a personnummer whose date and check digit hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from dataskydd import clock
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise, written_forms
from dataskydd.identity.personnummer import parse_personnummer

REDACTED = "[raderat]"

# The guard against a longer run is placed *after* the first character (hence the ``.``):
# a pattern that starts with plain characters lets the engine skip ahead to the next
# position holding one of them instead of trying a match at every position.
_AFTER_FIRST_NOT_DIGIT = r"(?<![0-9].)"
_NOT_DIGIT_NEXT = r"(?![0-9])"
_AFTER_FIRST_NOT_EMAIL = r"(?<![\w.+\-].)"
_NOT_EMAIL_NEXT = r"(?![\w\-]|\.[\w\-])"  # a full stop ending the sentence may follow
_AFTER_FIRST_NOT_WORD = r"(?<!\w.)"
_NOT_WORD_NEXT = r"(?!\w)"
_NUMERIC = frozenset("0123456789+- ")

Atoms = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """One identifier found in a text: whose it is and where it stands."""

    kind: IdentityKind
    canonical: str
    start: int
    end: int
    written: str


class IdentityMatcher:
    """Finds, tests for and redacts the identities of known people in free text.

    Built once from ``(kind, value)`` pairs (any valid written form; canonical is usual)
    and reused for many texts: compiling is the expensive part.
    """

    def __init__(
        self, identities: Iterable[tuple[IdentityKind, str]], *, today: date | None = None
    ) -> None:
        day = today or clock.today()
        self._needles: dict[str, None] = {}
        self._by_key: dict[str, list[_Entry]] = {}
        trie = _Trie()
        seen: set[tuple[IdentityKind, str]] = set()
        for kind, value in identities:
            kind = IdentityKind(kind)
            canonical = normalise(kind, value, today=day)
            if (kind, canonical) in seen:
                continue
            seen.add((kind, canonical))
            forms = written_forms(kind, canonical, today=day)
            entry = _Entry(kind, canonical, tuple(_sequences(kind, canonical, forms, day)))
            for sequence in entry.sequences:
                trie.add(sequence)
            for form in forms:
                self._needles[form] = None
                keyed = self._by_key.setdefault(_key(form), [])
                if entry not in keyed:
                    keyed.append(entry)
        self.pattern = re.compile(trie.to_regex() if seen else "(?!)")

    def find(self, text: str) -> list[Match]:
        """Every identifier in ``text``, in order of position."""
        return list(self._iter(text))

    def contains(self, text: str) -> bool:
        return self.pattern.search(text) is not None

    def redact(self, text: str, replacement: str = REDACTED) -> str:
        """``text`` with every identifier replaced by ``replacement``."""
        return self.pattern.sub(replacement, text)

    def sql_needles(self) -> list[str]:
        """The distinct written forms, for a database's ``LIKE '%…%'`` pre-filter."""
        return list(self._needles)

    def _iter(self, text: str) -> Iterator[Match]:
        for found in self.pattern.finditer(text):
            written = found.group()
            entries = self._by_key[_key(written)]
            if len(entries) > 1:
                # Two identities share digits (a phone number that is also a personnummer):
                # keep those whose own forms produce exactly this text.
                entries = [entry for entry in entries if entry.accepts(written)]
            for entry in entries:
                yield Match(entry.kind, entry.canonical, found.start(), found.end(), written)


_PERSONNUMMER_LIKE = re.compile(
    rf"[0-9]{_AFTER_FIRST_NOT_DIGIT}[0-9]{{5}}(?:[0-9]{{2}})?[-+ ]?[0-9]{{4}}{_NOT_DIGIT_NEXT}"
)


def find_personnummer_like(text: str, *, today: date | None = None) -> list[Match]:
    """Every valid personnummer or samordningsnummer in ``text``, whoever it belongs to.

    Candidates are 6 or 8 digits, an optional ``-``, ``+`` or space, and 4 digits, not part
    of a longer run of digits; each is kept only if its date and check digit are valid.
    """
    day = today or clock.today()
    found: list[Match] = []
    for candidate in _PERSONNUMMER_LIKE.finditer(text):
        written = candidate.group()
        try:
            number = parse_personnummer(written, today=day)
        except IdentityError:
            continue
        found.append(
            Match(number.kind, number.canonical, candidate.start(), candidate.end(), written)
        )
    return found


@dataclass(frozen=True, slots=True)
class _Entry:
    kind: IdentityKind
    canonical: str
    sequences: tuple[Atoms, ...]

    def accepts(self, written: str) -> bool:
        return any(re.fullmatch("".join(atoms), written) for atoms in self.sequences)


class _Trie:
    """Regex atoms arranged by shared prefix, so each prefix is tried once per position."""

    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.terminal = False

    def add(self, atoms: Atoms) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, _Trie())
        node.terminal = True

    def to_regex(self) -> str:
        return self._emit()[0]

    def _emit(self) -> tuple[str, int]:
        """This node's regex and its height."""
        branches = [(atom, *child._emit()) for atom, child in self.children.items()]
        # Deeper branches first, so the longest form at a position wins.
        branches.sort(key=lambda branch: (-branch[2], branch[0]))
        parts = [atom + regex for atom, regex, _ in branches]
        if self.terminal and parts:
            parts.append("")
        height = 1 + max((branch[2] for branch in branches), default=0)
        if len(parts) <= 1:
            return "".join(parts), height
        return "(?:" + "|".join(parts) + ")", height


def _sequences(
    kind: IdentityKind, canonical: str, forms: list[str], today: date
) -> Iterator[Atoms]:
    """The atom sequences that spell ``forms`` in text, each guarded at both ends."""
    if kind in NATIONAL_ID_KINDS:
        number = parse_personnummer(canonical, today=today)
        # A separator may be a hyphen, a space or nothing; ``+`` only when it is true.
        slot = "[-+ ]?" if number.age_on(today) >= 100 else "[- ]?"
        for digits in (number.canonical, number.short):
            yield _guarded(
                [*digits[:-4], slot, *digits[-4:]], _AFTER_FIRST_NOT_DIGIT, _NOT_DIGIT_NEXT
            )
    elif kind is IdentityKind.ORGANISATIONSNUMMER:
        for digits in (canonical, "16" + canonical):
            yield _guarded(
                [*digits[:-4], "-?", *digits[-4:]], _AFTER_FIRST_NOT_DIGIT, _NOT_DIGIT_NEXT
            )
    elif kind is IdentityKind.PHONE:
        for form in forms:
            # Whichever of hyphen and space a writer puts between the groups.
            atoms = ["[- ]" if c in "- " else re.escape(c) for c in form]
            yield _guarded(atoms, _AFTER_FIRST_NOT_DIGIT, _NOT_DIGIT_NEXT)
    elif kind is IdentityKind.EMAIL:
        for form in forms:
            first, rest = form[0], [_caseless(c) for c in form[1:]]
            for initial in dict.fromkeys((first, first.upper() if len(first.upper()) == 1 else first)):
                yield _guarded([re.escape(initial), *rest], _AFTER_FIRST_NOT_EMAIL, _NOT_EMAIL_NEXT)
    else:
        for form in forms:
            before = _AFTER_FIRST_NOT_WORD if _is_word(form[0]) else ""
            after = _NOT_WORD_NEXT if _is_word(form[-1]) else ""
            yield _guarded([re.escape(c) for c in form], before, after)


def _guarded(atoms: list[str], after_first: str, after_last: str) -> Atoms:
    guarded = [atoms[0]]
    if after_first:
        guarded.append(after_first)
    guarded += atoms[1:]
    if after_last:
        guarded.append(after_last)
    return tuple(guarded)


def _caseless(c: str) -> str:
    upper = c.upper()
    if upper != c and len(upper) == 1:
        return f"[{c}{upper}]"
    return re.escape(c)


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _key(written: str) -> str:
    """What two spellings of one identity have in common: digits, or the lower-cased text."""
    if "@" in written:
        return written.lower()
    if set(written) <= _NUMERIC and any(c.isdigit() for c in written):
        return "".join(c for c in written if c.isdigit())
    return written
