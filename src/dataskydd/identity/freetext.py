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
from typing import NamedTuple

from dataskydd import clock
from dataskydd.identity.contact import is_local_char, phone_needles
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityError, IdentityKind
from dataskydd.identity.normalise import normalise, written_forms
from dataskydd.identity.personnummer import TYPOGRAPHIC_DASHES, parse_personnummer
from dataskydd.regex_trie import Atoms, RegexTrie

REDACTED = "[raderat]"

# Speed rests on one property of Python's regex engine: when every alternative of a pattern
# starts with a plain character, the engine skips ahead to the next position holding one
# of those characters instead of trying a match at every position. So each written form
# starts with its first character, and the guard against a longer run comes *after* it
# (hence the ``.`` in the lookbehinds). E-mail addresses start with letters, which are
# everywhere in text; their pattern starts at the rare ``@`` instead and checks the part
# before it with a lookbehind (see :func:`_email_sequence`).
_AFTER_FIRST_NOT_DIGIT = r"(?<![0-9].)"
_NOT_DIGIT_NEXT = r"(?![0-9])"
_AFTER_FIRST_NOT_WORD = r"(?<!\w.)"
_NOT_WORD_NEXT = r"(?!\w)"
_LOCAL_CHAR = r"[\w.!#$%&'*+/=?^`{|}~\-]"
_NOT_EMAIL_NEXT = r"(?![\w\-]|\.[\w\-])"  # a full stop ending the sentence may follow
_HYPHEN = f"-{TYPOGRAPHIC_DASHES}"  # for a character class: any dash means a hyphen
_EMAIL_MARK = "(?P<email>)"  # set when the match is an e-mail path, which starts at the @


class Match(NamedTuple):
    """One identifier found in a text: whose it is and where it stands."""

    kind: IdentityKind
    canonical: str
    start: int
    end: int
    written: str


class IdentityMatcher:
    """Finds, tests for and redacts the identities of known people in free text.

    Built once from ``(kind, value)`` pairs (any valid written form; canonical is usual)
    and reused for many texts: compiling is the expensive part, done on the first text (a
    matcher asked only for :meth:`sql_patterns` never compiles). E-mail addresses match
    whatever their case; everything else matches as written, except that personnummer,
    organisationsnummer and phone numbers allow a hyphen or a space where a separator
    could stand.
    """

    def __init__(
        self, identities: Iterable[tuple[IdentityKind, str]], *, today: date | None = None
    ) -> None:
        day = today or clock.today()
        self._needles: dict[str, None] = {}
        self._entries: list[_Entry] = []
        self._by_key: dict[str, list[_Entry]] = {}
        self._resolved: dict[str, list[_Entry]] = {}
        seen: set[tuple[IdentityKind, str]] = set()
        for kind, value in identities:
            kind = IdentityKind(kind)
            canonical = normalise(kind, value, today=day)
            if (kind, canonical) in seen:
                continue
            seen.add((kind, canonical))
            forms = written_forms(kind, canonical, today=day)
            entry = _Entry(kind, canonical, tuple(forms), tuple(_sequences(kind, forms, day)))
            self._entries.append(entry)
            for form in forms:
                self._needles[form] = None
                keyed = self._by_key.setdefault(_key(form), [])
                if entry not in keyed:
                    keyed.append(entry)
        self._compiled: re.Pattern[str] | None = None

    @property
    def _pattern(self) -> re.Pattern[str]:
        """Every entry's sequences as one expression, compiled on first use."""
        if self._compiled is None:
            trie = RegexTrie()
            for entry in self._entries:
                for sequence in entry.sequences:
                    trie.add(sequence)
            # An e-mail match starts at its @ (see _email_sequence): use find(), not sub().
            self._compiled = re.compile(trie.to_regex() if self._entries else "(?!)")
        return self._compiled

    def find(self, text: str) -> list[Match]:
        """Every identifier in ``text``, in order of position."""
        return list(self._iter(text))

    def contains(self, text: str) -> bool:
        return self._pattern.search(text) is not None

    def redact(self, text: str, replacement: str = REDACTED) -> str:
        """``text`` with every identifier replaced by ``replacement``."""
        parts: list[str] = []
        done = 0
        for found in self._iter(text):
            if found.end <= done:
                continue  # the same place, found for a second identity
            parts += [text[done : max(done, found.start)], replacement]
            done = found.end
        parts.append(text[done:])
        return "".join(parts)

    def sql_patterns(self) -> list[str | tuple[str, ...]]:
        """The fewest ``LIKE`` patterns that catch every written form, for a database pre-filter.

        A personnummer in any form holds its six-digit date and its last four digits in that
        order ("780523-9824", "19780523 9824", "7805239824"), so one pattern of two parts
        replaces six; an organisationsnummer likewise. A Swedish phone number's eight forms
        all hold its subscriber number, either as digits ("1740617" in "+46701740617",
        "0701740617", "070-1740617") or grouped ("174 06 17" in "070-174 06 17",
        "+46 70 174 06 17"): two needles (:func:`~dataskydd.identity.contact.phone_needles`).
        The database returns a superset and :meth:`contains` decides. Each part is at least
        four characters, so a trigram index (PostgreSQL pg_trgm) can serve it; fewer and
        shorter patterns also mean fewer trigrams, which keeps PostgreSQL's cost estimate
        for the index below that of a sequential scan.
        """
        patterns: dict[str | tuple[str, ...], None] = {}
        for entry in self._entries:
            if entry.kind in NATIONAL_ID_KINDS:
                patterns[(entry.canonical[2:8], entry.canonical[8:])] = None
            elif entry.kind == IdentityKind.ORGANISATIONSNUMMER:
                patterns[(entry.canonical[:6], entry.canonical[6:])] = None
            elif entry.kind == IdentityKind.PHONE:
                # The subscriber number, digits only and grouped: two needles for eight forms.
                for needle in phone_needles(entry.canonical):
                    patterns[needle] = None
            else:
                for form in entry.forms:
                    patterns[form.lower() if entry.kind == IdentityKind.EMAIL else form] = None
        return list(patterns)

    def sql_needles(self) -> list[str]:
        """The distinct written forms, for a database's ``LIKE '%…%'`` pre-filter.

        E-mail addresses are in lower case: compare them with the column lower-cased.
        """
        return list(self._needles)

    def _iter(self, text: str) -> Iterator[Match]:
        for found in self._pattern.finditer(text):
            start, end = found.span()
            if found.lastgroup == "email":
                while start > 0 and is_local_char(text[start - 1]):
                    start -= 1  # the lookbehind has checked exactly this local part
            written = text[start:end]
            entries = self._resolved.get(written)
            if entries is None:
                entries = self._resolved[written] = self._resolve(written)
            for entry in entries:
                yield Match(entry.kind, entry.canonical, start, end, written)

    def _resolve(self, written: str) -> list[_Entry]:
        """Whose identity a matched text is (the matcher remembers each answer)."""
        entries = self._by_key.get(_key(written), [])
        if len(entries) > 1:
            # Two identities share a key (a phone number whose digits are also a
            # personnummer): keep those that are written exactly like this.
            entries = [entry for entry in entries if entry.accepts(written)]
        return entries


_PERSONNUMMER_LIKE = re.compile(
    rf"[0-9]{_AFTER_FIRST_NOT_DIGIT}[0-9]{{5}}(?:[0-9]{{2}})?[{_HYPHEN}+ ]?[0-9]{{4}}{_NOT_DIGIT_NEXT}"
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
    forms: tuple[str, ...]
    sequences: tuple[Atoms, ...]

    def accepts(self, written: str) -> bool:
        if self.kind is IdentityKind.EMAIL:
            return written.lower() in self.forms
        if self.kind in _FLEXIBLE_KINDS:
            return any(re.fullmatch("".join(atoms), written) for atoms in self.sequences)
        return written in self.forms


_FLEXIBLE_KINDS = NATIONAL_ID_KINDS | {IdentityKind.ORGANISATIONSNUMMER, IdentityKind.PHONE}


def _sequences(kind: IdentityKind, forms: list[str], today: date) -> Iterator[Atoms]:
    """The atom sequences that spell ``forms`` in text, each guarded at both ends."""
    if kind in NATIONAL_ID_KINDS:
        number = parse_personnummer(forms[0], today=today)
        # A separator may be a hyphen, a space or nothing; ``+`` only when it is true.
        slot = f"[{_HYPHEN}+ ]?" if number.age_on(today) >= 100 else f"[{_HYPHEN} ]?"
        for digits in (number.canonical, number.short):
            yield _guarded(
                [*digits[:-4], slot, *digits[-4:]], _AFTER_FIRST_NOT_DIGIT, _NOT_DIGIT_NEXT
            )
    elif kind is IdentityKind.ORGANISATIONSNUMMER:
        for digits in (forms[0], "16" + forms[0]):
            yield _guarded(
                [*digits[:-4], f"[{_HYPHEN}]?", *digits[-4:]],
                _AFTER_FIRST_NOT_DIGIT,
                _NOT_DIGIT_NEXT,
            )
    elif kind is IdentityKind.PHONE:
        for form in forms:
            # Whichever of hyphen and space a writer puts between the groups.
            atoms = [f"[{_HYPHEN} ]" if c in "- " else re.escape(c) for c in form]
            yield _guarded(atoms, _AFTER_FIRST_NOT_DIGIT, _NOT_DIGIT_NEXT)
    elif kind is IdentityKind.EMAIL:
        for form in forms:
            yield _email_sequence(form)
    else:
        for form in forms:
            before = _AFTER_FIRST_NOT_WORD if _is_word(form[0]) else ""
            after = _NOT_WORD_NEXT if _is_word(form[-1]) else ""
            yield _guarded([re.escape(c) for c in form], before, after)


def _email_sequence(address: str) -> Atoms:
    """``@``, the domain, then a lookbehind that the local part stands right before the @.

    Addresses sharing a domain share its path, so the lookbehinds tried at an ``@`` are only
    those of the addresses with the domain found there.
    """
    local, domain = address.split("@")
    domain_atoms = [_caseless(c) for c in domain]
    whole = "".join([*map(_caseless, local), "@", *domain_atoms])
    return ("@", _EMAIL_MARK, *domain_atoms, _NOT_EMAIL_NEXT, f"(?<=(?<!{_LOCAL_CHAR}){whole})")


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
    digits = written.translate(_NO_SEPARATORS)
    if digits.isascii() and digits.isdigit():
        return digits
    return written


_NO_SEPARATORS = str.maketrans("", "", f"+ {_HYPHEN}")
