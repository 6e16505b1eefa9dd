"""Introspection proposes what a person would conclude from the data, and says why.

The database here holds what a lender's would: personnummer, e-mail, phone, names, an
organisation number, case notes and the dates that start retention periods.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, text

from dataskydd.connectors.factory import open_connector
from dataskydd.datamap.draft import Draft
from dataskydd.datamap.introspect import introspect, name_hint
from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.schema import Connection, IdentityKind, System, SystemKind
from dataskydd.programme import Programme, ProgrammeInvalid, load_template

ROWS = 250  # more than the 200 values sampled


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def personnummer(rng: random.Random) -> str:
    year, month, day, serial = (
        rng.randint(1940, 2004),
        rng.randint(1, 12),
        rng.randint(1, 28),
        rng.randint(0, 999),
    )
    ten = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{year}{month:02d}{day:02d}-{serial:03d}{luhn(ten)}"


def orgnr(rng: random.Random) -> str:
    nine = f"55{rng.randint(0, 9999999):07d}"
    return f"{nine[:6]}-{nine[6:]}{luhn(nine)}"


NOTE = "Kunden ringde och frågade om amorteringen; vi lovade att återkomma med ett besked i veckan."

SCHEMA = [
    """CREATE TABLE customers (
        id INTEGER PRIMARY KEY, pnr VARCHAR(13), email VARCHAR(200), telefon VARCHAR(40),
        namn VARCHAR(200), company_no VARCHAR(11), notes TEXT, summary TEXT, lucky_number INTEGER,
        token VARCHAR(80), relationship_ended_at DATE, created DATE)""",
    """CREATE TABLE offers (
        id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers (id),
        offer_lapsed_on DATE, decided_at DATE)""",
    "CREATE TABLE audit_trail (happened DATE, what TEXT)",
    "CREATE TABLE leads (id INTEGER PRIMARY KEY, epost TEXT, personnummer TEXT)",
]


def fill(url: str) -> None:
    rng = random.Random(2024)
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in SCHEMA:
            connection.execute(text(statement))
        for i in range(1, ROWS + 1):
            connection.execute(
                text(
                    "INSERT INTO customers VALUES (:id, :pnr, :email, :tel, :namn, :org, :notes, "
                    ":summary, :lucky, :token, :ended, :created)"
                ),
                {
                    "id": i,
                    "pnr": personnummer(rng),
                    "email": f"kund{i}@exempel.se",
                    "tel": f"070-{rng.randint(1000000, 9999999)}",
                    "namn": f"Kund Nummer {i}",
                    "org": orgnr(rng),
                    "notes": "ok" if i % 2 else None,
                    "summary": f"{NOTE} Ärende {i}.",
                    "lucky": rng.randint(1, 10**9),
                    "token": "".join(rng.choice("abcdef0123456789") for _ in range(64)),
                    "ended": "2023-01-31",
                    "created": "2020-01-01",
                },
            )
            connection.execute(
                text("INSERT INTO offers VALUES (:id, :id, '2024-03-01', '2024-01-15')"), {"id": i}
            )
    engine.dispose()


def run_introspect(url: str, kind: SystemKind, programme: Programme) -> Draft:
    connection = Connection(env="CORE_URL")
    system = System(key="core", name="core", kind=kind, connection=connection)
    connector = open_connector(system, url)
    try:
        return introspect("core", kind, connection, connector, programme)
    finally:
        connector.close()


@pytest.fixture(scope="module")
def sqlite_draft(tmp_path_factory: pytest.TempPathFactory) -> Draft:
    url = f"sqlite:///{tmp_path_factory.mktemp('introspect') / 'core.db'}"
    fill(url)
    return run_introspect(url, SystemKind.SQLITE, load_template())


def column(draft: Draft, table: str, name: str) -> dict[str, object]:
    """A column as the written YAML has it."""
    data = yaml.safe_load(draft.to_yaml())
    found = next(t for t in data["tables"] if t["name"] == table)
    return next(c for c in found["columns"] if c["name"] == name)  # type: ignore[no-any-return]


def line(draft: Draft, start: str) -> str:
    return next(line for line in draft.to_yaml().splitlines() if line.strip().startswith(start))


def test_valid_personnummer_in_most_samples_propose_the_national_id(sqlite_draft: Draft) -> None:
    assert column(sqlite_draft, "customers", "pnr") == {
        "name": "pnr",
        "category": "identification.national_id",
        "identity": "personnummer",
    }
    assert line(sqlite_draft, "identity: personnummer").endswith(
        "# proposed: 200 of 200 samples are valid personnummer"
    )


def test_email_and_phone_are_proposed_with_the_programmes_categories(sqlite_draft: Draft) -> None:
    assert column(sqlite_draft, "customers", "email")["identity"] == IdentityKind.EMAIL.value
    assert column(sqlite_draft, "customers", "email")["category"] == "contact.email"
    assert column(sqlite_draft, "customers", "telefon")["identity"] == IdentityKind.PHONE.value
    assert column(sqlite_draft, "customers", "telefon")["category"] == "contact.phone"


def test_an_organisation_number_is_proposed_and_its_category_left_to_a_person(
    sqlite_draft: Draft,
) -> None:
    company = column(sqlite_draft, "customers", "company_no")
    assert company["identity"] == "organisationsnummer"
    assert company["category"] == "TODO"


def test_a_name_column_is_known_by_its_name(sqlite_draft: Draft) -> None:
    assert column(sqlite_draft, "customers", "namn") == {
        "name": "namn",
        "category": "identification.name",
    }


def test_notes_and_long_written_text_are_free_text_to_redact(sqlite_draft: Draft) -> None:
    for name in ("notes", "summary"):
        proposed = column(sqlite_draft, "customers", name)
        assert proposed["free_text"] is True
        assert proposed["erasure"] == "redact"
        assert proposed["category"] == "TODO"  # what people write about is a person's call
    assert "characters on average in 200 samples" in line(
        sqlite_draft, "free_text: true  # proposed: written"
    )


def test_numbers_and_tokens_are_left_alone(sqlite_draft: Draft) -> None:
    assert column(sqlite_draft, "customers", "lucky_number") == {"name": "lucky_number"}
    assert column(sqlite_draft, "customers", "token") == {"name": "token"}
    assert column(sqlite_draft, "customers", "created") == {"name": "created"}


def test_dates_named_for_a_retention_event_propose_the_trigger(sqlite_draft: Draft) -> None:
    assert (
        column(sqlite_draft, "customers", "relationship_ended_at")["retention_trigger"]
        == "relationship_ended"
    )
    assert column(sqlite_draft, "offers", "offer_lapsed_on")["retention_trigger"] == "offer_lapsed"
    assert (
        column(sqlite_draft, "offers", "decided_at")["retention_trigger"] == "application_decided"
    )


def test_keys_come_from_the_database(sqlite_draft: Draft) -> None:
    data = yaml.safe_load(sqlite_draft.to_yaml())
    offers = next(t for t in data["tables"] if t["name"] == "offers")
    assert offers["primary_key"] == ["id"]
    assert column(sqlite_draft, "offers", "customer_id")["references"] == {
        "table": "customers",
        "column": "id",
    }
    audit = next(t for t in data["tables"] if t["name"] == "audit_trail")
    assert audit["primary_key"] == ["TODO"]


def test_an_empty_table_is_proposed_from_names_and_says_it_could_not_confirm(
    sqlite_draft: Draft,
) -> None:
    assert column(sqlite_draft, "leads", "personnummer")["identity"] == "personnummer"
    assert "no samples to confirm" in line(
        sqlite_draft, "identity: personnummer  # proposed: the name"
    )


def test_every_table_waits_for_a_person_to_name_its_purposes(
    sqlite_draft: Draft, tmp_path: Path, programme: Programme
) -> None:
    written = tmp_path / "datamap"
    written.mkdir()
    (written / "core.yaml").write_text(sqlite_draft.to_yaml(), encoding="utf-8")
    with pytest.raises(ProgrammeInvalid) as raised:
        load_datamap(written, programme)
    assert {e.rule for e in raised.value.errors} == {"todo"}
    purposes = [e for e in raised.value.errors if e.path.endswith("purposes[0]")]
    assert len(purposes) == 4


def test_once_a_person_decides_the_map_loads(
    sqlite_draft: Draft, tmp_path: Path, programme: Programme
) -> None:
    decided = (
        sqlite_draft.to_yaml()
        .replace("purposes: [TODO]", "purposes: [contract]")
        .replace("primary_key: [TODO]", "primary_key: [happened]")
        .replace("category: TODO", "category: relationship.interactions")
    )
    written = tmp_path / "datamap"
    written.mkdir()
    (written / "core.yaml").write_text(decided, encoding="utf-8")
    datamap = load_datamap(written, programme)
    assert (
        datamap.systems["core"].table("customers").column("pnr").identity
        == IdentityKind.PERSONNUMMER
    )


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("epost", "email"),
        ("customerEmail", "email"),
        ("telefon_mobil", "phone"),
        ("efternamn", "name"),
        ("pnr", "personnummer"),
        ("gatuadress", "address"),
        ("kommentar", "free_text"),
        ("id", None),
        ("amount", None),
        ("hotel_id", None),
    ],
)
def test_column_names_help(name: str, hint: str | None) -> None:
    assert name_hint(name) == hint


@pytest.mark.postgres
def test_postgresql_introspection_finds_identities_and_keys(
    postgres_url: str, programme: Programme
) -> None:
    fill(postgres_url)
    draft = run_introspect(postgres_url, SystemKind.POSTGRESQL, programme)
    assert column(draft, "customers", "pnr")["identity"] == "personnummer"
    assert column(draft, "customers", "notes")["free_text"] is True
    assert column(draft, "offers", "customer_id")["references"] == {
        "table": "customers",
        "column": "id",
    }
    assert (
        column(draft, "customers", "relationship_ended_at")["retention_trigger"]
        == "relationship_ended"
    )
