"""Word pools the estate draws from: names, streets, towns, companies, titles.

Names come from Faker's Swedish lists with their frequency weights, read once: calling
Faker per row would cost minutes at a million persons, drawing from a list costs nothing.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from random import Random

from faker.providers.address.sv_SE import Provider as AddressProvider
from faker.providers.person.sv_SE import Provider as PersonProvider


@dataclass(frozen=True)
class Weighted:
    """A list to draw from by frequency, with its cumulative weights computed once."""

    values: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[str, float]) -> Weighted:
        return cls(tuple(weights), tuple(accumulate(weights.values())))

    def draw(self, rng: Random) -> str:
        # What rng.choices does, without its per-call set-up: this runs millions of times.
        return self.values[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


FEMALE_NAMES = Weighted.of(PersonProvider.first_names_female)
MALE_NAMES = Weighted.of(PersonProvider.first_names_male)
LAST_NAMES = Weighted.of(PersonProvider.last_names)

STREET_STEMS: tuple[str, ...] = (
    *sorted(set(AddressProvider.street_prefixes)),
    "Drottning",
    "Kungs",
    "Sjö",
    "Hamn",
    "Lärk",
    "Linné",
    "Tegnér",
    "Vasa",
    "Mölle",
    "Syren",
    "Lind",
    "Rönn",
    "Al",
    "Sten",
    "Berg",
    "Dal",
    "Hög",
    "Klocka",
    "Smed",
    "Torg",
)
STREET_ENDINGS: tuple[str, ...] = ("gatan", "vägen", "stigen", "gränd", "backen", "allén", "torget")

# Towns with the first three digits of their postcodes (Postnord's real ranges), weighted
# roughly by population, so most customers live where most Swedes live.
TOWNS: tuple[tuple[str, tuple[int, int], int], ...] = (
    ("Stockholm", (111, 129), 30),
    ("Göteborg", (411, 426), 16),
    ("Malmö", (211, 218), 10),
    ("Uppsala", (751, 756), 6),
    ("Västerås", (721, 725), 4),
    ("Örebro", (702, 703), 4),
    ("Linköping", (582, 589), 4),
    ("Helsingborg", (252, 256), 4),
    ("Jönköping", (553, 556), 3),
    ("Norrköping", (602, 603), 3),
    ("Lund", (222, 227), 3),
    ("Umeå", (903, 907), 3),
    ("Gävle", (802, 806), 3),
    ("Borås", (503, 507), 3),
    ("Eskilstuna", (632, 635), 2),
    ("Södertälje", (151, 152), 2),
    ("Karlstad", (652, 656), 2),
    ("Växjö", (352, 355), 2),
    ("Halmstad", (302, 302), 2),
    ("Sundsvall", (852, 857), 2),
    ("Luleå", (972, 977), 2),
    ("Trollhättan", (461, 461), 1),
    ("Östersund", (831, 831), 1),
    ("Falun", (791, 791), 1),
    ("Kalmar", (392, 393), 1),
    ("Kristianstad", (291, 291), 1),
    ("Skövde", (541, 541), 1),
    ("Karlskrona", (371, 371), 1),
    ("Visby", (621, 621), 1),
    ("Kiruna", (981, 981), 1),
)
TOWN_WEIGHTS = tuple(accumulate(weight for _, _, weight in TOWNS))

COMPANY_WORDS: tuple[str, ...] = (
    "Bygg",
    "Konsult",
    "Trä",
    "Design",
    "Teknik",
    "Mekaniska",
    "Fastigheter",
    "Transport",
    "Elektro",
    "Data",
    "Solenergi",
    "Livs",
    "Bageri",
    "Måleri",
    "Snickeri",
    "Rör",
    "Media",
    "Handel",
    "Industri",
    "Marin",
    "Skog",
    "Lantbruk",
    "Café",
    "Hälsa",
    "Plåt",
    "Verkstad",
    "Robotik",
    "Biotech",
    "Spel",
    "Mode",
    "Textil",
    "Glas",
    "Frakt",
    "Städ",
    "Event",
)
COMPANY_PLACES: tuple[str, ...] = (
    "Norrlands",
    "Skånska",
    "Västkust",
    "Mälardalens",
    "Gotlands",
    "Dalarnas",
    "Smålands",
    "Östgöta",
    "Värmlands",
    "Upplands",
    "Hallands",
    "Roslagens",
    "Bergslagens",
    "Sörmlands",
)
COMPANY_SUFFIXES: tuple[str, ...] = ("AB", "AB", "AB", "AB", "HB", "KB")

TITLES: tuple[str, ...] = (
    "VD",
    "Ekonomichef",
    "Grundare",
    "Ägare",
    "CFO",
    "Inköpschef",
    "Säljchef",
    "Styrelseledamot",
    "Verksamhetschef",
    "Produktionschef",
    "Projektledare",
    "Marknadschef",
    "Delägare",
    "Controller",
    "Teknisk chef",
    "Redovisningsekonom",
    "Affärsutvecklare",
    "COO",
)
POSITIONS: tuple[str, ...] = (
    "Affärsrådgivare",
    "Kreditanalytiker",
    "Investment manager",
    "Controller",
    "Jurist",
    "Systemutvecklare",
    "HR-specialist",
    "Kommunikatör",
    "Regionchef",
    "Compliance officer",
    "Riskanalytiker",
    "Kundtjänstmedarbetare",
    "Lånehandläggare",
    "Ekonomiassistent",
)
EMAIL_DOMAINS: tuple[str, ...] = (
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "hotmail.com",
    "hotmail.se",
    "outlook.com",
    "live.se",
    "telia.com",
    "icloud.com",
    "yahoo.se",
    "bredband.net",
    "spray.se",
)
# Swedish mobile series for generated people; 070 is left out so the planted people can
# have numbers from 070-17406xx, the range the telecoms regulator keeps for fiction.
MOBILE_PREFIXES: tuple[str, ...] = ("072", "073", "076", "079")
AREA_CODES: tuple[str, ...] = ("08", "031", "040", "018", "021", "019", "013", "042", "036", "090")


def pick(rng: Random, values: Sequence[str]) -> str:
    return values[int(rng.random() * len(values))]


def town(rng: Random) -> tuple[str, str]:
    """A town and a postcode in it, ``"123 45"``."""
    name, (low, high), _ = TOWNS[bisect(TOWN_WEIGHTS, rng.random() * TOWN_WEIGHTS[-1])]
    return name, f"{rng.randint(low, high)} {rng.randint(10, 99):02d}"


def street_address(rng: Random) -> str:
    return f"{pick(rng, STREET_STEMS)}{pick(rng, STREET_ENDINGS)} {rng.randint(1, 120)}"


@lru_cache(maxsize=4096)  # names repeat: folding each once is enough
def ascii_slug(text: str) -> str:
    """``"Åsa Öberg-Lind"`` -> ``"asaoberglind"``: what an e-mail address or domain can hold."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in folded if c.isascii() and c.isalnum())


def company_name(rng: Random, last_name: str) -> str:
    shape = rng.random()
    if shape < 0.45:
        return f"{last_name} {pick(rng, COMPANY_WORDS)} {pick(rng, COMPANY_SUFFIXES)}"
    if shape < 0.75:
        return f"{pick(rng, COMPANY_PLACES)} {pick(rng, COMPANY_WORDS)} AB"
    if shape < 0.9:
        other = LAST_NAMES.draw(rng)
        return f"{last_name} & {other} {pick(rng, COMPANY_SUFFIXES)}"
    return f"{last_name}s {pick(rng, COMPANY_WORDS)}"  # a sole trader's trading name
