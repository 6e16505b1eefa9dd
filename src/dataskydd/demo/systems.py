"""The five systems of the demo estate, each its own database as in a real company.

The tables live in one module per system; their columns carry their data map annotation
(see :mod:`dataskydd.demo.columns`), so those modules are also the data dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from dataskydd.demo.core_tables import core
from dataskydd.demo.crm_tables import crm
from dataskydd.demo.marketing_tables import marketing
from dataskydd.demo.recruitment_tables import recruitment
from dataskydd.demo.website_tables import website


@dataclass(frozen=True)
class DemoSystem:
    key: str
    name: str
    owner: str
    description: str
    metadata: sa.MetaData

    @property
    def tables(self) -> list[sa.Table]:
        """Parents before children: the order to create and load in."""
        return list(self.metadata.sorted_tables)


SYSTEMS: tuple[DemoSystem, ...] = (
    DemoSystem(
        "core",
        "Core lending",
        "Head of Lending Operations",
        "Customers, companies and their roles, loans, collateral, offers, KYC and bookkeeping.",
        core,
    ),
    DemoSystem(
        "crm", "CRM", "Head of Sales", "Contacts, interactions and marketing consents.", crm
    ),
    DemoSystem(
        "marketing",
        "Marketing lists",
        "Head of Marketing",
        "Purchased contact lists for direct marketing.",
        marketing,
    ),
    DemoSystem(
        "recruitment", "Recruitment", "Head of HR", "Applicants and their documents.", recruitment
    ),
    DemoSystem(
        "website",
        "Website",
        "Head of Digital Channels",
        "Chat and contact forms on almi.se.",
        website,
    ),
)
SYSTEM_KEYS: tuple[str, ...] = tuple(system.key for system in SYSTEMS)


def system(key: str) -> DemoSystem:
    return next(s for s in SYSTEMS if s.key == key)
