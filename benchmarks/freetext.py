"""Benchmark: finding people's identifiers in free text, against a plain regex scan.

Generates about 50 MB of Swedish customer-service chat and case notes (fixed seed, so every
run reads the same text) with the personnummer, e-mail address and phone number of 1,000
persons planted in every written form, plus distractors: other numbers, personnummer-like
numbers with a wrong check digit, and planted personnummer inside longer digit runs. Then
it measures, in MB/s (10^6 bytes of UTF-8 per second, best of ``--runs`` interleaved runs):

- the floor, ``re.compile(r"\\d{6,8}[-+ ]?\\d{4}").finditer`` over the same text;
- ``IdentityMatcher.find`` for one person and for all 1,000;
- ``find_personnummer_like``, the scanner that knows no one;

with each one's ratio to the floor (target 0.5 or more), its recall on the planted
identifiers (must be 1.0) and its false positives. Plain output; exit status 1 if a recall
is below 1.0.

    .venv/bin/python benchmarks/freetext.py [--megabytes 50] [--persons 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker
from stdnum import luhn

from dataskydd.identity.contact import parse_phone, phone_forms
from dataskydd.identity.freetext import IdentityMatcher, Match, find_personnummer_like
from dataskydd.identity.kinds import NATIONAL_ID_KINDS, IdentityKind
from dataskydd.identity.personnummer import Personnummer, is_personnummer, parse_personnummer

SEED = 20260115
TODAY = date(2026, 1, 15)
FLOOR = re.compile(r"\d{6,8}[-+ ]?\d{4}")
RATIO_TARGET = 0.5


@dataclass(frozen=True, slots=True)
class Person:
    number: Personnummer
    email: str
    phone: str

    def identities(self) -> list[tuple[IdentityKind, str]]:
        return [
            (self.number.kind, self.number.canonical),
            (IdentityKind.EMAIL, self.email),
            (IdentityKind.PHONE, self.phone),
        ]


@dataclass(frozen=True, slots=True)
class Plant:
    """One planted identifier: whose, and where it stands in the text."""

    kind: IdentityKind
    canonical: str
    start: int
    end: int


def make_people(count: int, rng: random.Random, fake: Faker) -> list[Person]:
    """Persons born 1918-2006 (some over 100, one in twenty with a samordningsnummer)."""
    people: list[Person] = []
    numbers: set[str] = set()
    phones: set[str] = set()
    first_day, span = date(1918, 1, 1), (date(2006, 12, 31) - date(1918, 1, 1)).days
    while len(people) < count:
        born = first_day + timedelta(days=rng.randrange(span))
        day = born.day + (60 if rng.random() < 0.05 else 0)
        body = f"{born:%y%m}{day:02d}{rng.randrange(1000):03d}"
        number = parse_personnummer(
            f"{born.year // 100}{body}{luhn.calc_check_digit(body)}", today=TODAY
        )
        phone = parse_phone(f"07{rng.choice('02369')}{rng.randrange(10**7):07d}")
        if number.canonical in numbers or phone in phones:
            continue
        numbers.add(number.canonical)
        phones.add(phone)
        local = _ascii(f"{fake.first_name()}.{fake.last_name()}").lower()
        email = f"{local}{len(people)}@{fake.free_email_domain()}"
        people.append(Person(number, email, phone))
    return people


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("åäöéÅÄÖÉ ", "aaoeAAOE-"))


# Swedish chat and case-note sentences; {n} is a distractor number.
FILLER = [
    "Hej! Jag undrar hur lång tid det tar innan mitt lån betalas ut?",
    "Tack för ditt meddelande, vi återkommer inom två bankdagar.",
    "Jag har flyttat till {street}, {postcode} {city}, kan ni uppdatera adressen?",
    "Kunden {name} ringde angående faktura {n} och ville ha en betalningsplan.",
    "Ärendet är överlämnat till kreditavdelningen, referens {n}.",
    "Betalningen på {amount} kr är registrerad den {date}.",
    "Jag har inte fått någon avi för {date}, kan ni skicka en ny?",
    "Lånet hos {company} är löst, skuldebrevet skickas per post.",
    "Vi har tagit emot din ansökan om {amount} kr med återbetalningstid 60 månader.",
    "Kan jag ändra förfallodag till den 27:e varje månad?",
    "Kunden hänvisas till {company} för frågor om försäkringen.",
    "OCR-nummer {n}, belopp {amount} kr, förfallodag {date}.",
    "Jag fick ett sms från ett okänt nummer, är det ni som har skickat det?",
    "Kontoutdrag bifogat, clearingnummer 8327-9 och kontonummer {n}.",
    "Samtal med {name}: kunden vill avsluta sitt sparkonto och flytta pengarna.",
    "Det felaktiga numret {bad} stämmer inte, kontrollsiffran är fel.",
    "Handläggaren noterar att ordernummer {n} hör till ett annat ärende.",
    "Hej {first}, din ansökan är beviljad. Avtalet finns under Mina sidor.",
    "Tyvärr kan vi inte bevilja krediten just nu, du är välkommen att ansöka igen om sex månader.",
    "Referensnummer {long} används för inbetalningen.",
    "Jag vill ha en kopia av alla uppgifter ni har om mig enligt GDPR.",
    "Påminnelseavgift på 60 kr tillkommer om betalningen sker efter {date}.",
    "Kunden bor på {street} i {city} sedan {date}.",
    "Kan ni ringa mig efter kl 17? Jag jobbar på {company} fram till dess.",
]
PLANTED = {
    "personnummer": [
        "Mitt personnummer är {x}.",
        "Kunden uppger pnr {x} vid identifiering.",
        "Kontrollerat mot folkbokföringen: {x} (BankID ok)",
        "{x} vill ha ett registerutdrag.",
        "Gäller kund {x}, se tidigare anteckning.",
    ],
    "email": [
        "Skicka gärna avtalet till {x} istället.",
        "Ny e-postadress: {x}.",
        "Kunden nås på {x}, svara där.",
    ],
    "phone": [
        "Ring mig på {x} efter lunch.",
        "Nytt mobilnummer {x}",
        "Återuppringning till {x} bokad.",
        "Tel: {x}. Tack!",
    ],
}
SPEAKERS = ["Kund", "Handläggare", "Kundtjänst", "System"]


class TextBuilder:
    """Appends lines and remembers where each planted identifier starts and ends."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.length = 0
        self.plants: list[Plant] = []

    def line(self, text: str) -> None:
        self.chunks.append(text)
        self.length += len(text)

    def plant(
        self, template: str, prefix: str, kind: IdentityKind, canonical: str, written: str
    ) -> None:
        before, after = template.split("{x}")
        start = self.length + len(prefix) + len(before)
        self.plants.append(Plant(kind, canonical, start, start + len(written)))
        self.line(f"{prefix}{before}{written}{after}\n")

    def text(self) -> str:
        return "".join(self.chunks)


def build_text(
    people: list[Person], megabytes: float, rng: random.Random, fake: Faker
) -> tuple[str, list[Plant]]:
    names = [fake.name() for _ in range(2000)]
    streets = [fake.street_address() for _ in range(2000)]
    cities = [fake.city() for _ in range(300)]
    companies = [fake.company() for _ in range(300)]
    planted: list[tuple[str, IdentityKind, str, str]] = []
    for person in people:
        number = person.number
        planted += [
            ("personnummer", number.kind, number.canonical, f)
            for f in number.written_forms(today=TODAY)
        ]
        local, domain = person.email.split("@")
        for written in (person.email, f"{local.title()}@{domain.upper()}"):
            planted.append(("email", IdentityKind.EMAIL, person.email, written))
        planted += [
            ("phone", IdentityKind.PHONE, person.phone, f) for f in phone_forms(person.phone)
        ]
    rng.shuffle(planted)
    canonicals = [p.number.canonical for p in people]

    def filler() -> str:
        template = rng.choice(FILLER)
        return (
            template.format(
                name=rng.choice(names),
                first=rng.choice(names).split()[0],
                street=rng.choice(streets),
                postcode=f"{rng.randrange(100, 999)} {rng.randrange(10, 99)}",
                city=rng.choice(cities),
                company=rng.choice(companies),
                date=f"{2020 + rng.randrange(6)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                amount=f"{rng.randrange(1, 500)} {rng.randrange(1000):03d}",
                n=_noise_number(rng),
                bad=_wrong_check_digit(rng),
                long=f"{rng.randrange(1, 10)}{rng.choice(canonicals)}{rng.randrange(10)}",
            )
            if "{" in template
            else template
        )

    builder = TextBuilder()
    target = int(megabytes * 1_000_000)
    # One planted line per this many filler lines spreads the plants over the whole text.
    every = max(1, int(target / 95 / (len(planted) + 1)))
    count = 0
    while builder.length < target or planted:
        prefix = f"[{_timestamp(count)}] {SPEAKERS[count % len(SPEAKERS)]}: "
        if planted and count % every == every - 1:
            family, kind, canonical, written = planted.pop()
            builder.plant(rng.choice(PLANTED[family]), prefix, kind, canonical, written)
        else:
            builder.line(prefix + filler() + "\n")
        count += 1
    return builder.text(), builder.plants


def _timestamp(line: int) -> str:
    """A chat log's time stamp: three lines a minute, through 2024 and 2025."""
    minute = line // 3
    month, day = (minute // 40_000) % 12 + 1, (minute // 1_300) % 28 + 1
    return f"{2024 + line % 2}-{month:02d}-{day:02d} {(minute // 60) % 24:02d}:{minute % 60:02d}"


def _noise_number(rng: random.Random) -> str:
    """An order, OCR or account number that is not a valid personnummer."""
    while True:
        number = str(rng.randrange(10 ** rng.choice((7, 8, 10, 12, 14))))
        if not is_personnummer(number, today=TODAY):
            return number


def _wrong_check_digit(rng: random.Random) -> str:
    """A personnummer-shaped number whose check digit is wrong."""
    born = date(1930, 1, 1) + timedelta(days=rng.randrange(27000))
    body = f"{born:%y%m%d}{rng.randrange(1000):03d}"
    wrong = (int(luhn.calc_check_digit(body)) + rng.randrange(1, 10)) % 10
    return f"{body[:6]}-{body[6:]}{wrong}"


@dataclass(frozen=True, slots=True)
class Contender:
    """A scan to time and score: what it is, the work, and what it should find."""

    label: str
    work: Callable[[str], list[Match]]
    expected: list[Plant]
    by_span_only: bool = False


def best_seconds(text: str, runs: int, works: list[Callable[[str], object]]) -> list[float]:
    """Best time of each work over ``runs`` rounds; rounds interleave the works, so that a
    busy machine slows them all alike and the ratios stay fair."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for index, work in enumerate(works):
            gc.collect()
            start = time.perf_counter()
            work(text)
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def score(
    found: Iterable[Match], expected: list[Plant], *, by_span_only: bool = False
) -> tuple[int, int]:
    """(planted identifiers found, false positives)."""

    def key(start: int, end: int, kind: IdentityKind, canonical: str) -> tuple[object, ...]:
        if by_span_only:
            return (start, end)
        family = "national" if kind in NATIONAL_ID_KINDS else kind.value
        return (start, end, family, canonical)

    wanted = {key(p.start, p.end, p.kind, p.canonical) for p in expected}
    got = {key(m.start, m.end, m.kind, m.canonical) for m in found}
    return len(wanted & got), len(got - wanted)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    rng = random.Random(SEED)
    fake = Faker("sv_SE")
    fake.seed_instance(SEED)
    start = time.perf_counter()
    people = make_people(args.persons, rng, fake)
    text, plants = build_text(people, args.megabytes, rng, fake)
    size = len(text.encode()) / 1_000_000
    print(
        f"text: {size:.1f} MB, {text.count(chr(10)):,} lines, {len(plants):,} identifiers of "
        f"{len(people):,} persons planted (seed {SEED}, today {TODAY}), generated in {time.perf_counter() - start:.1f} s"
    )

    one = people[0]
    start = time.perf_counter()
    matcher_one = IdentityMatcher(one.identities(), today=TODAY)
    compile_one = time.perf_counter() - start
    start = time.perf_counter()
    matcher_all = IdentityMatcher((i for p in people for i in p.identities()), today=TODAY)
    compile_all = time.perf_counter() - start
    mine = {canonical for _, canonical in one.identities()}
    contenders = [
        Contender(
            f"IdentityMatcher.find, 1 person (3 identities, compiled in {compile_one * 1000:.0f} ms)",
            matcher_one.find,
            [p for p in plants if p.canonical in mine],
        ),
        Contender(
            f"IdentityMatcher.find, {len(people):,} persons ({3 * len(people):,} identities, "
            f"compiled in {compile_all:.1f} s)",
            matcher_all.find,
            plants,
        ),
        Contender(
            "find_personnummer_like (anyone's valid personnummer; scored by position)",
            lambda t: find_personnummer_like(t, today=TODAY),
            [p for p in plants if p.kind in NATIONAL_ID_KINDS],
            by_span_only=True,
        ),
    ]

    def floor_scan(t: str) -> int:
        return sum(1 for _ in FLOOR.finditer(t))

    seconds = best_seconds(text, args.runs, [floor_scan, *(c.work for c in contenders)])
    floor = size / seconds[0]
    print(f"load average {os.getloadavg()[0]:.2f}; best of {args.runs} interleaved runs")
    print(f"floor: re.compile(r'\\d{{6,8}}[-+ ]?\\d{{4}}').finditer\n    {floor:8.1f} MB/s")
    failed, slow = False, False
    phone_spans = {(p.start, p.end) for p in plants if p.kind is IdentityKind.PHONE}
    for contender, elapsed in zip(contenders, seconds[1:], strict=True):
        speed = size / elapsed
        found = contender.work(text)
        hits, false_positives = score(
            found, contender.expected, by_span_only=contender.by_span_only
        )
        recall = hits / len(contender.expected)
        failed |= recall < 1.0
        slow |= speed / floor < RATIO_TARGET
        print(
            f"{contender.label}\n    {speed:8.1f} MB/s   ratio to floor {speed / floor:.2f}"
            f"   recall {recall:.3f} ({hits:,}/{len(contender.expected):,})"
            f"   false positives {false_positives:,}"
        )
        if contender.by_span_only and false_positives:
            in_phones = sum((m.start, m.end) in phone_spans for m in found)
            print(
                f"    ({in_phones:,} of them are planted phone numbers whose digits are a valid personnummer)"
            )
    print(
        f"targets: recall 1.0 {'met' if not failed else 'NOT MET'}; "
        f"ratio to floor >= {RATIO_TARGET} {'met' if not slow else 'NOT MET'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
