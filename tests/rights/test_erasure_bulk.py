"""Many persons found together get exactly what each gets alone: rows, plans, failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dataskydd import clock
from dataskydd.connectors.base import QueryTimeout
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights.erasure import ErasurePlan, Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.resolution import Resolution, parse_identities
from dataskydd.rights.service import Estate, find_person, open_estate

PERSONS = 300
PEOPLE = 90  # planted persons first, then customers and applicants


def found(resolution: Resolution) -> dict[str, Any]:
    return {
        "identities": sorted(resolution.identities),
        "rows": sorted(
            (system, table, str(key), str(row.found), row.via)
            for (system, table), rows in resolution.rows.items()
            for key, row in rows.items()
        ),
        "outcomes": sorted((o.system, o.status) for o in resolution.outcomes.values()),
        "hops": resolution.hops,
    }


def planned(plan: ErasurePlan) -> dict[str, Any]:
    return {
        "identities": sorted(plan.identities),
        "decisions": [repr(d) for d in plan.decisions],
        "failed": plan.failed_systems,
    }


def people_of(estate: Estate, planted: list[str]) -> list[list[tuple[IdentityKind, str]]]:
    numbers = list(planted)
    for system, table in (("core", "customers"), ("recruitment", "applicants")):
        engine = estate.connectors[system].engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            numbers += connection.execute(
                sa.text(f"SELECT personnummer FROM {table} WHERE personnummer IS NOT NULL")
            ).scalars()
    unique = list(dict.fromkeys(str(n) for n in numbers))[:PEOPLE]
    return [[(IdentityKind.PERSONNUMMER, n)] for n in unique]


def check_together_as_alone(data_dir: Path, urls: dict[str, str | None] | None) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(data_dir, persons=PERSONS, urls=urls)
    programme = load_template()
    datamap = load_datamap(estate.datamap_dir, programme)
    with clock.frozen_at("2026-12-02"), open_estate(datamap) as open_:
        people = people_of(open_, [p.personnummer for p in estate.planted])
        alone = [find_person(open_, person) for person in people]
        together = open_.resolver().resolve_many([parse_identities(p) for p in people])
        assert [found(r) for r in together] == [found(r) for r in alone]
        assert sum(len(r.found()) for r in alone) > 3 * len(people)  # a real test

        planner = ErasurePlanner(programme, open_)
        plans = [planner.plan(r, [Ground.UNLAWFUL]) for r in alone]
        bulk = plan_many(programme, open_, people, [Ground.UNLAWFUL], group_size=25, workers=2)
        assert [planned(p) for p in bulk] == [planned(p) for p in plans]


def test_people_found_together_on_sqlite_get_what_each_gets_alone(tmp_path: Path) -> None:
    check_together_as_alone(tmp_path / "estate", None)


def test_a_query_that_fails_once_is_asked_again_for_the_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / "estate", persons=PERSONS)
    programme = load_template()
    datamap = load_datamap(estate.datamap_dir, programme)
    with clock.frozen_at("2026-12-02"), open_estate(datamap) as open_:
        people = people_of(open_, [p.personnummer for p in estate.planted])[:30]
        alone = [planned(p) for p in plan_many(programme, open_, people, [Ground.UNLAWFUL])]
        website = open_.connectors["website"]
        search = website.search_text
        failures = [QueryTimeout("website", "query ran past the timeout of 10 s")]

        def flaky(*args: Any, **kwargs: Any) -> Any:
            if failures:
                raise failures.pop()
            return search(*args, **kwargs)

        monkeypatch.setattr(website, "search_text", flaky)
        again = plan_many(programme, open_, people, [Ground.UNLAWFUL], group_size=30)
    assert not failures  # it did fail once
    assert [planned(p) for p in again] == alone


@pytest.mark.postgres
@pytest.mark.mariadb
def test_people_found_together_on_the_servers_get_what_each_gets_alone(
    tmp_path: Path, postgres_url: str, mariadb_url: str
) -> None:
    # As the benchmark has it: free text with trigram indexes on PostgreSQL, none on MariaDB.
    urls: dict[str, str | None] = {
        "core": postgres_url,
        "crm": postgres_url,
        "recruitment": postgres_url,
        "marketing": mariadb_url,
        "website": mariadb_url,
    }
    check_together_as_alone(tmp_path / "estate", urls)
