"""The estate's persons: who they are, how to reach them, and why Almi knows them.

Person ``i`` of an estate is a pure function of the seed and ``i``: identities come from
seeded permutations (every personnummer, phone and e-mail distinct without a lookup
table), the rest from the chunk's own seeded random stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from random import Random

from dataskydd.demo import pools
from dataskydd.demo.identifiers import (
    BIRTH_DAYS,
    FIRST_BIRTH_DATE,
    GENERATED_SERIALS,
    Permutation,
    personnummer,
)


class Role(StrEnum):
    """Why Almi knows a person first of all; many are known for more than one reason."""

    PROSPECT = "prospect"  # in the CRM or a purchased list only
    PRIVATE_CUSTOMER = "private_customer"  # a private person or sole trader with loans
    COMPANY_CUSTOMER = "company_customer"  # through their company: chair, owner, board
    APPLICANT = "applicant"
    VISITOR = "visitor"  # chatted or wrote through the website's form


# The share of each role: most people Almi knows never became customers.
ROLE_SHARES: tuple[tuple[Role, float], ...] = (
    (Role.PROSPECT, 0.60),
    (Role.PRIVATE_CUSTOMER, 0.11),
    (Role.COMPANY_CUSTOMER, 0.14),
    (Role.APPLICANT, 0.05),
    (Role.VISITOR, 0.10),
)
_ROLES = tuple(role for role, _ in ROLE_SHARES)
_ROLE_WEIGHTS = tuple(share for _, share in ROLE_SHARES)
COORDINATION_SHARE = 0.02  # samordningsnummer: people who are not registered in Sweden
MOBILE_SPACE = 10**7  # seven subscriber digits after each mobile prefix


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    role: Role
    first_name: str
    last_name: str
    female: bool
    personnummer: str  # canonical 12 digits; a samordningsnummer has day + 60
    email: str
    phone: str  # national digits, 07XXXXXXXX
    street: str
    postcode: str
    city: str

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class People:
    """The identity spaces of one estate, fixed by its seed."""

    def __init__(self, seed: int) -> None:
        rng = Random(f"dataskydd-demo:{seed}:identities")
        self._national_id = Permutation(BIRTH_DAYS * GENERATED_SERIALS, rng)
        self._mobile = Permutation(len(pools.MOBILE_PREFIXES) * MOBILE_SPACE, rng)

    def person(self, index: int, rng: Random) -> Person:
        role = rng.choices(_ROLES, _ROLE_WEIGHTS)[0]
        slot = self._national_id(index)
        born = FIRST_BIRTH_DATE + timedelta(days=slot // GENERATED_SERIALS)
        serial = slot % GENERATED_SERIALS + 1
        female = serial % 2 == 0  # the serial's last digit is even for women
        first = (pools.FEMALE_NAMES if female else pools.MALE_NAMES).draw(rng)
        last = pools.LAST_NAMES.draw(rng)
        coordination = rng.random() < COORDINATION_SHARE
        city, postcode = pools.town(rng)
        return Person(
            index=index,
            role=role,
            first_name=first,
            last_name=last,
            female=female,
            personnummer=personnummer(born, serial, coordination=coordination),
            email=email_address(rng, first, last, index),
            phone=self.mobile(index),
            street=pools.street_address(rng),
            postcode=postcode,
            city=city,
        )

    def mobile(self, index: int) -> str:
        slot = self._mobile(index)
        prefix = pools.MOBILE_PREFIXES[slot // MOBILE_SPACE]
        return f"{prefix}{slot % MOBILE_SPACE:07d}"


def email_address(rng: Random, first: str, last: str, index: int) -> str:
    """A private address that ends in the person's index, so no two persons share one.

    Names hold no digits, so the digits at the end are exactly the index: distinct
    indexes give distinct addresses whatever the names and the pattern.
    """
    f, l = pools.ascii_slug(first), pools.ascii_slug(last)  # noqa: E741
    shape = rng.random()
    if shape < 0.5:
        local = f"{f}.{l}{index}"
    elif shape < 0.7:
        local = f"{f}{l}{index}"
    elif shape < 0.85:
        local = f"{f[0]}{l}{index}"
    else:
        local = f"{f}_{l}{index}"
    return f"{local}@{pools.pick(rng, pools.EMAIL_DOMAINS)}"
