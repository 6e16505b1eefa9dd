"""The access answer as files: what the person reads and what staff keep.

Answers come from real data: a small SQLite estate (customers, their loans, a chat with
free text) built here with SQLAlchemy Core, its data map written as YAML and loaded by the
real loader, the bundled programme, and the real resolver over the SQLite connector. One
system is a PostgreSQL database that cannot be reached and one is a paper archive checked
by hand, so the answer is incomplete in a way the letter has to say. A few tests build
rows by hand to reach shapes a small estate does not have (hundreds of records, bytes,
exact decimals, characters beyond Latin-1).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from stdnum import luhn

from dataskydd import clock
from dataskydd.datamap.loader import load_datamap
from dataskydd.datamap.schema import DataMap
from dataskydd.programme import Programme, load_template
from dataskydd.rights.access import AccessAnswer, WithholdReason, build_answer
from dataskydd.rights.answer_formats import to_html, to_json, to_pdf, to_zip
from dataskydd.rights.resolution import (
    Found,
    FoundRow,
    Identity,
    IdentityKind,
    Resolution,
    SystemOutcome,
)
from dataskydd.rights.service import access, find_person, open_estate


def pnr(birth: str, serial: str) -> str:
    return birth + serial + luhn.calc_check_digit(birth[2:] + serial)


ASA = pnr("19780412", "238")
ASA_EMAIL = "asa.oberg@example.se"
GUNNAR = pnr("19650101", "123")
SECRET_NOTE = "Gunnars skuld till Kronofogden: 48 000 kr"  # someone else's data
TODAY = "2026-03-02T10:00"

CORE_YAML = """
system:
  key: core
  name: Kärnsystem
  kind: sqlite
  connection: {file: core.url}
tables:
  - name: customers
    purposes: [contract]
    primary_key: [customer_number]
    columns:
      - {name: customer_number, category: identification, identity: customer_number}
      - {name: personnummer, category: identification.national_id, identity: personnummer, provided: true}
      - {name: name, category: identification.name, provided: true}
      - {name: email, category: contact.email, identity: email, provided: true}
      - {name: city, category: contact.postal_address, provided: true}
      - {name: relationship_ended_at, retention_trigger: relationship_ended}
  - name: loans
    purposes: [contract]
    primary_key: [loan_id]
    columns:
      - {name: loan_id}
      - name: customer_number
        references: {table: customers, column: customer_number}
      - {name: amount_sek, category: financial.debts}
      - {name: granted_on, category: financial.contract_type}
      - {name: credit_note, category: financial.credit_assessment, internal_assessment: true}
"""

CHAT_YAML = """
system:
  key: chat
  name: Chatt på webbplatsen
  kind: sqlite
  connection: {file: chat.url}
tables:
  - name: chat_messages
    purposes: [contract]
    primary_key: [id]
    columns:
      - {name: id}
      - {name: email, category: contact.email, identity: email, provided: true}
      - {name: sent_at, retention_trigger: collected}
      - {name: message, category: communication.chat, free_text: true, provided: true, erasure: redact}
"""

CRM_YAML = """
system:
  key: crm
  name: Kundregister (CRM)
  kind: postgresql
  connection: {env: DATASKYDD_TEST_CRM_URL_NEVER_SET}
tables:
  - name: contacts
    purposes: [marketing-analysis]
    primary_key: [id]
    columns:
      - {name: id}
      - {name: email, category: contact.email, identity: email}
"""

ARCHIVE_YAML = """
system:
  key: archive
  name: Pappersarkivet
  kind: manual
  categories: [identification.name, financial.debts]
  manual:
    assignee: arkivet@example.se
    due_days: 7
    checklist:
      - {sv: Sök i kreditpärmarna, en: Search the credit binders}
"""


def build_estate(root: Path) -> Path:
    """The two SQLite databases, their secrets files and the data map; returns the map's folder."""
    datamap_dir = root / "datamap"
    datamap_dir.mkdir()
    core = sa.create_engine(f"sqlite:///{root / 'core.db'}")
    meta = sa.MetaData()
    customers = sa.Table(
        "customers",
        meta,
        sa.Column("customer_number", sa.String, primary_key=True),
        sa.Column("personnummer", sa.String),
        sa.Column("name", sa.String),
        sa.Column("email", sa.String),
        sa.Column("city", sa.String),
        sa.Column("relationship_ended_at", sa.Date),
    )
    loans = sa.Table(
        "loans",
        meta,
        sa.Column("loan_id", sa.String, primary_key=True),
        sa.Column("customer_number", sa.String, sa.ForeignKey("customers.customer_number")),
        sa.Column("amount_sek", sa.Numeric(12, 2)),
        sa.Column("granted_on", sa.Date),
        sa.Column("credit_note", sa.String),
    )
    meta.create_all(core)
    with core.begin() as connection:
        connection.execute(
            customers.insert(),
            [
                {
                    "customer_number": "K-1",
                    # Written the short way on purpose: the resolver knows every form.
                    "personnummer": f"{ASA[2:8]}-{ASA[8:]}",
                    "name": "Åsa Öberg-Ängström",
                    "email": ASA_EMAIL,
                    "city": "Göteborg",
                    "relationship_ended_at": date(2024, 6, 30),
                },
                {
                    "customer_number": "K-2",
                    "personnummer": GUNNAR,
                    "name": "Gunnar Ek",
                    "email": "gunnar@example.se",
                    "city": "Malmö",
                    "relationship_ended_at": None,
                },
            ],
        )
        connection.execute(
            loans.insert(),
            [
                {
                    "loan_id": "L-1",
                    "customer_number": "K-1",
                    "amount_sek": Decimal("250000.00"),
                    "granted_on": date(2021, 3, 15),
                    "credit_note": "Stabil kassaflödesprognos",
                },
                {
                    "loan_id": "L-2",
                    "customer_number": "K-2",
                    "amount_sek": Decimal("90000.00"),
                    "granted_on": date(2022, 1, 10),
                    "credit_note": None,
                },
            ],
        )
    core.dispose()
    chat = sa.create_engine(f"sqlite:///{root / 'chat.db'}")
    meta = sa.MetaData()
    messages = sa.Table(
        "chat_messages",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("message", sa.Text),
    )
    meta.create_all(chat)
    with chat.begin() as connection:
        connection.execute(
            messages.insert(),
            [
                {
                    "id": 1,
                    "email": ASA_EMAIL,
                    "sent_at": datetime(2025, 11, 3, 14, 5),
                    "message": "Hej! Kan jag ändra amorteringen på mitt lån? /Åsa",
                },
                {
                    "id": 2,
                    "email": "gunnar@example.se",
                    "sent_at": datetime(2025, 11, 4, 9, 30),
                    "message": f"Min kompanjon {ASA} borgar för mig. {SECRET_NOTE}.",
                },
            ],
        )
    chat.dispose()
    (datamap_dir / "core.url").write_text(f"sqlite:///{root / 'core.db'}\n")
    (datamap_dir / "chat.url").write_text(f"sqlite:///{root / 'chat.db'}\n")
    for name, text in (
        ("core", CORE_YAML),
        ("chat", CHAT_YAML),
        ("crm", CRM_YAML),
        ("archive", ARCHIVE_YAML),
    ):
        (datamap_dir / f"{name}.yaml").write_text(text, encoding="utf-8")
    return datamap_dir


@pytest.fixture(scope="module")
def programme() -> Programme:
    return load_template()


@pytest.fixture()
def datamap(tmp_path: Path, programme: Programme) -> DataMap:
    return load_datamap(build_estate(tmp_path), programme)


@pytest.fixture()
def answer(datamap: DataMap, programme: Programme) -> AccessAnswer:
    """Åsa's answer, end to end: the real resolver over the SQLite estate, from her personnummer."""
    with clock.frozen_at(TODAY), open_estate(datamap) as estate:
        return build_answer(
            find_person(estate, [(IdentityKind.PERSONNUMMER, ASA)]), datamap, programme
        )


def resolve(datamap: DataMap, rows: list[FoundRow]) -> Resolution:
    """A resolution of hand-made rows, for shapes the small estate does not have.

    Its systems fare as in the estate: CRM unreachable, the archive checked by hand.
    """
    by_table: dict[tuple[str, str], dict[tuple[Any, ...], FoundRow]] = {}
    for row in rows:
        by_table.setdefault((row.system, row.table), {})[row.key] = row
    return Resolution(
        identities={Identity(IdentityKind.PERSONNUMMER, ASA)},
        rows=by_table,
        outcomes={
            "core": SystemOutcome("core", "answered"),
            "chat": SystemOutcome("chat", "answered"),
            "crm": SystemOutcome("crm", "failed", "the environment variable is not set"),
            "archive": SystemOutcome("archive", "manual"),
        },
    )


def by_hand(datamap: DataMap, programme: Programme, *rows: FoundRow) -> AccessAnswer:
    return build_answer(resolve(datamap, list(rows)), datamap, programme)


def withhold_mention(answer: AccessAnswer) -> str:
    mention = next(i for i in answer.items if i.found == Found.MENTION)
    answer.withhold(mention.ref, WithholdReason.OTHER_PERSON, "Gunnars uppgifter", by="handläggare")
    return mention.ref


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text as a reader sees it (poppler's pdftotext)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_three_lines_of_python_give_the_zip_a_person_receives(
    datamap: DataMap, programme: Programme, tmp_path: Path
) -> None:
    # As the docstring of dataskydd.rights.answer_formats shows it.
    with open_estate(datamap) as estate:
        answer = access(programme, estate, [(IdentityKind.PERSONNUMMER, f"{ASA[:8]}-{ASA[8:]}")])
    (tmp_path / "svar.zip").write_bytes(to_zip(answer, "sv", datamap=datamap))
    assert "core/customers.csv" in unzip((tmp_path / "svar.zip").read_bytes())


# -- the letter -------------------------------------------------------------------------------


def test_the_letter_opens_with_the_request_and_is_a_standalone_page_in_the_language(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    sv = to_html(answer, "sv", datamap=datamap)
    en = to_html(answer, "en", datamap=datamap)
    assert sv.startswith("<!DOCTYPE html>") and '<html lang="sv">' in sv
    assert '<html lang="en">' in en
    assert "Du har begärt att få veta vilka personuppgifter vi behandlar om dig" in sv
    assert "You have asked us which personal data we process about you" in en
    assert "<link" not in sv and "<script" not in sv, "one file the person can keep"


def test_the_letter_names_a_system_that_could_not_be_asked_and_never_says_nothing_was_found_there(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    html = to_html(answer, "sv", datamap=datamap)
    assert "Svaret är inte komplett ännu" in html
    assert "Vi kunde inte fråga följande system när svaret togs fram: Kundregister (CRM)." in html
    assert "kompletterar svaret" in html
    statement = next(line for line in html.splitlines() if "Kundregister (CRM)" in line)
    assert "inga uppgifter" not in statement
    assert "I de system vi kunde söka i hittade vi inga uppgifter" not in html
    assert "DATASKYDD_TEST_CRM_URL_NEVER_SET" not in html, "technical errors are for staff"


def test_the_letter_says_nothing_was_found_only_about_the_systems_that_answered(
    datamap: DataMap, programme: Programme
) -> None:
    empty = by_hand(datamap, programme)
    html = to_html(empty, "en", datamap=datamap)
    assert "In the systems we could search we found no data about you." in html
    assert "We could not ask the following systems" in html and "Kundregister (CRM)" in html


def test_the_letter_says_when_a_system_checked_by_hand_will_be_added(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    # Made on 2026-03-02, the archive's task is due 7 days later.
    assert (
        "Vi går igenom systemet Pappersarkivet för hand. Svaret kompletteras senast 2026-03-09."
        in to_html(answer, "sv", datamap=datamap)
    )
    assert "The answer will be completed by 2026-03-09." in to_html(answer, "en", datamap=datamap)
    # Without the data map the letter still promises completion, by the legal deadline.
    assert "within one month of your request" in to_html(answer, "en")


def test_the_letter_summarises_what_was_searched_and_found(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    html = to_html(answer, "sv", datamap=datamap)
    # Her e-mail was read off her own rows and searched for too (record numbers are not:
    # they may be a company's; her records are reached through references instead).
    assert "Vi har sökt efter dig med: e-postadress, personnummer." in html
    assert (
        "Vi hittade 4 poster med uppgifter om dig i 2 system: Chatt på webbplatsen, Kärnsystem."
        in html
    )


def test_the_letter_shows_the_data_per_system_and_table_labelled_in_the_language(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    sv = to_html(answer, "sv", datamap=datamap)
    assert "<h3>Kärnsystem</h3>" in sv and "<h3>Chatt på webbplatsen</h3>" in sv
    assert "<h4>Tabell customers (1 post)</h4>" in sv
    assert '<th scope="col">Namn (name)</th>' in sv
    assert "<td>Åsa Öberg-Ängström</td>" in sv
    assert "<td>2021-03-15</td>" in sv, "dates in ISO 8601"
    assert "<td>250000</td>" in sv
    assert "<td>du nämns</td>" in sv, "a row where she is only mentioned says so"
    en = to_html(answer, "en", datamap=datamap)
    assert '<th scope="col">Name (name)</th>' in en


def test_the_letter_gives_the_art_15_information(answer: AccessAnswer, datamap: DataMap) -> None:
    html = to_html(answer, "sv", datamap=datamap)
    for heading in (
        "Ändamål och rättslig grund",
        "Kategorier av personuppgifter",
        "Mottagare",
        "Hur länge vi sparar uppgifterna",
        "Varifrån uppgifterna kommer",
        "Överföring till länder utanför EU/EES",
        "Dina rättigheter",
        "Automatiserat beslutsfattande",
        "Klagomål till Integritetsskyddsmyndigheten (IMY)",
        "Dataskyddsombud",
    ):
        assert f"<h3>{heading}</h3>" in html, heading
    assert "Art. 6(1)(b)" in html
    assert "Almi genomför inga automatiserade beslut." in html
    assert "imy@imy.se" in html and "Box 8114" in html
    assert "dataskyddsombud@almi.se" in html
    assert "<h4>Begära åtkomst till dina personuppgifter</h4>" in html
    assert html.count("<h4>Begära") >= 3


def test_the_letter_gives_the_retention_end_date_computed_from_the_persons_rows(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    evidence = next(r for r in answer.art15.retention if r.key == "contract-evidence")
    assert evidence.ends_on is not None
    html = to_html(answer, "sv", datamap=datamap)
    assert f"För dina uppgifter löper tiden till {evidence.ends_on.isoformat()}." in html
    assert evidence.terms.sv in html


def test_a_withheld_item_is_announced_in_general_terms_without_its_values(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    withhold_mention(answer)
    html = to_html(answer, "sv", datamap=datamap)
    assert "Uppgifter som inte lämnas ut" in html
    assert "artikel 15.4" in html
    assert "uppgifterna rör även andra personer" in html
    assert "Gunnars uppgifter" not in html, "the staff's note stays with staff"
    assert "Kronofogden" not in html
    assert "du nämns" not in html


def test_the_letter_escapes_what_it_shows(datamap: DataMap, programme: Programme) -> None:
    row = FoundRow(
        "core",
        "customers",
        ("K-9",),
        {"customer_number": "K-9", "name": "<script>alert(1)</script>"},
        Found.OWN,
        "test",
    )
    html = to_html(by_hand(datamap, programme, row), "sv")
    assert "<script>alert" not in html and "&lt;script&gt;" in html


# -- JSON -------------------------------------------------------------------------------------


def test_the_json_is_the_complete_answer_grouped_by_system_and_table(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    document = json.loads(to_json(answer, "en", datamap=datamap))
    meta = document["meta"]
    assert meta["generated_at"].startswith("2026-03-02T09:00:00")
    assert meta["programme_version"] == answer.programme_version
    assert meta["complete"] is False
    assert meta["failed_systems"] == [{"system": "crm", "name": "Kundregister (CRM)"}]
    assert meta["manual_systems"] == [
        {"system": "archive", "name": "Pappersarkivet", "due": "2026-03-09"}
    ]
    core = next(s for s in document["systems"] if s["system"] == "core")
    loans = next(t for t in core["tables"] if t["table"] == "loans")
    fields = {f["column"]: f for f in loans["records"][0]["fields"]}
    assert fields["granted_on"] == {
        "column": "granted_on",
        "category": "financial.contract_type",
        "label": fields["granted_on"]["label"],
        "value": "2021-03-15",
        "provided": False,
    }
    assert fields["amount_sek"]["value"] == 250000
    assert document["art15"]["authority"].startswith("Integritetsskyddsmyndigheten")
    assert len(document["art15"]["rights"]) == 6


def test_an_exact_decimal_stays_exact_in_json_and_in_the_letter(
    datamap: DataMap, programme: Programme
) -> None:
    row = FoundRow(
        "core",
        "loans",
        ("L-9",),
        {"loan_id": "L-9", "amount_sek": Decimal("250000.10"), "granted_on": date(2021, 3, 15)},
        Found.OWN,
        "test",
    )
    answer = by_hand(datamap, programme, row)
    fields = json.loads(to_json(answer, "sv"))["systems"][0]["tables"][0]["records"][0]["fields"]
    assert {"250000.10", "2021-03-15"} <= {f["value"] for f in fields}, "not a float"
    assert "<td>250000.10</td>" in to_html(answer, "sv")


def test_a_withheld_item_is_in_the_staff_json_with_its_reason_and_never_its_values(
    answer: AccessAnswer,
) -> None:
    with clock.frozen_at(TODAY):
        ref = withhold_mention(answer)
    person = to_json(answer, "sv")
    staff = to_json(answer, "sv", staff=True)
    assert ref not in person and "Kronofogden" not in person
    assert "Kronofogden" not in staff
    withheld = json.loads(staff)["withheld"]["items"]
    assert withheld == [
        {
            "ref": ref,
            "system": "chat",
            "table": "chat_messages",
            "found": "mention",
            "reason": "other_person",
            "note": "Gunnars uppgifter",
            "by": "handläggare",
            "at": "2026-03-02T09:00:00+00:00",
        }
    ]
    assert json.loads(person)["withheld"]["reasons"] == [
        "uppgifterna rör även andra personer, vars integritet vi måste skydda"
    ]


def test_the_staff_json_shows_what_needs_review_and_why_a_system_failed(
    answer: AccessAnswer,
) -> None:
    document = json.loads(to_json(answer, "en", staff=True))
    assert document["meta"]["failed_systems"][0]["error"].startswith("the environment variable")
    records = [r for s in document["systems"] for t in s["tables"] for r in t["records"]]
    review = {r["ref"] for r in records if r["needs_review"]}
    assert review == {"core/loans/L-1", "chat/chat_messages/2"}  # an assessment, a mention


# -- the zip ----------------------------------------------------------------------------------


def test_the_zip_holds_a_csv_per_table_the_json_the_letter_and_a_readme(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    files = unzip(to_zip(answer, "sv", datamap=datamap))
    assert set(files) == {
        "README.txt",
        "answer.json",
        "letter.html",
        "letter.pdf",
        "core/customers.csv",
        "core/loans.csv",
        "chat/chat_messages.csv",
    }
    assert files["letter.pdf"].startswith(b"%PDF-")
    assert "Svar på din begäran" in files["README.txt"].decode("utf-8")
    readme_en = unzip(to_zip(answer, "en"))["README.txt"].decode("utf-8")
    assert "letter.pdf" in readme_en and "Answer to your request" in readme_en


def test_every_csv_opens_with_swedish_characters_intact(
    answer: AccessAnswer, datamap: DataMap
) -> None:
    files = unzip(to_zip(answer, "sv", datamap=datamap))
    for name in (n for n in files if n.endswith(".csv")):
        assert files[name].startswith(b"\xef\xbb\xbf"), f"{name}: a BOM, so Excel reads UTF-8"
    customers = list(
        csv.reader(io.StringIO(files["core/customers.csv"].decode("utf-8-sig"), newline=""))
    )
    assert customers[0][:3] == [
        "Kundnummer (customer_number)",
        "Personnummer (personnummer)",
        "Namn (name)",
    ] or ("Namn (name)" in customers[0])
    assert "Åsa Öberg-Ängström" in customers[1] and "Göteborg" in customers[1]
    assert "2024-06-30" in customers[1]


def test_a_withheld_item_s_value_is_in_no_file(answer: AccessAnswer, datamap: DataMap) -> None:
    withhold_mention(answer)
    files = unzip(to_zip(answer, "sv", datamap=datamap))
    for name, data in files.items():
        if name == "letter.pdf":
            continue  # its text is compressed; read below as a person reads it
        assert b"Kronofogden" not in data, name
        assert b"Gunnar" not in data, name
    assert "Kronofogden" not in to_json(answer, "sv", staff=True)
    chat = files["chat/chat_messages.csv"].decode("utf-8-sig")
    assert chat.count("\r\n") == 2, "the header and her own message only"


def test_a_withheld_item_s_value_is_not_in_the_pdf(
    answer: AccessAnswer, datamap: DataMap, tmp_path: Path
) -> None:
    withhold_mention(answer)
    text = pdf_text(to_pdf(answer, "sv", datamap=datamap), tmp_path)
    assert "Kronofogden" not in text and "Gunnar" not in text
    assert "rör även andra personer" in text


def test_a_csv_cell_that_a_spreadsheet_would_run_is_made_inert(
    datamap: DataMap, programme: Programme
) -> None:
    row = FoundRow(
        "chat",
        "chat_messages",
        (7,),
        {"id": 7, "email": ASA_EMAIL, "message": '=HYPERLINK("http://evil.example")'},
        Found.OWN,
        "test",
    )
    files = unzip(to_zip(by_hand(datamap, programme, row), "sv"))
    assert "'=HYPERLINK" in files["chat/chat_messages.csv"].decode("utf-8-sig")
    assert '"=HYPERLINK' not in files["chat/chat_messages.csv"].decode("utf-8-sig").replace(
        "'=", ""
    )


# -- the PDF ----------------------------------------------------------------------------------


def test_the_pdf_says_what_the_letter_says_with_swedish_letters_rendered(
    answer: AccessAnswer, datamap: DataMap, tmp_path: Path
) -> None:
    text = pdf_text(to_pdf(answer, "sv", datamap=datamap), tmp_path)
    assert "Svar på din begäran om tillgång till dina personuppgifter" in text
    assert "Åsa Öberg-Ängström" in text
    assert "Göteborg" in text
    assert "Kundregister (CRM)" in text and "inte komplett" in text
    assert "Pappersarkivet" in text and "2026-03-09" in text
    assert "Integritetsskyddsmyndigheten" in text
    assert "Sida 1 av" in text


def test_the_pdf_in_english_is_english(
    answer: AccessAnswer, datamap: DataMap, tmp_path: Path
) -> None:
    text = pdf_text(to_pdf(answer, "en", datamap=datamap), tmp_path)
    assert "Answer to your request for access" in text and "Page 1 of" in text


def test_the_pdf_has_one_page_per_n_records_each_numbered(
    datamap: DataMap, programme: Programme, tmp_path: Path
) -> None:
    rows = [
        FoundRow(
            "chat",
            "chat_messages",
            (n,),
            {
                "id": n,
                "email": ASA_EMAIL,
                "sent_at": datetime(2025, 1, 1, 12, 0),
                "message": f"Meddelande nummer {n} om mitt lån och min återbetalning",
            },
            Found.OWN,
            "test",
        )
        for n in range(1, 301)
    ]
    data = to_pdf(by_hand(datamap, programme, *rows), "sv")
    text = pdf_text(data, tmp_path)
    pages = text.count("\f")
    # 300 one-line records fill pages, they do not take a page each; the Art. 15 part adds a few.
    assert 5 <= pages <= 300 // 20 + 6
    assert f"Sida {pages} av {pages}" in text
    assert "Meddelande nummer 300 om mitt lån" in text


def test_the_pdf_prints_a_wide_table_one_record_at_a_time_and_keeps_long_texts_whole(
    datamap: DataMap, programme: Programme, tmp_path: Path
) -> None:
    long_message = " ".join(f"ord{n}" for n in range(1500))  # about five PDF pages of text
    row = FoundRow(
        "chat",
        "chat_messages",
        (1,),
        {"id": 1, "email": ASA_EMAIL, "message": long_message},
        Found.OWN,
        "test",
    )
    text = pdf_text(to_pdf(by_hand(datamap, programme, row), "en"), tmp_path)
    assert "Record 1" in text
    assert "ord0 " in text and "ord1499" in text


def test_the_pdf_replaces_characters_the_font_cannot_show(
    datamap: DataMap, programme: Programme, tmp_path: Path
) -> None:
    row = FoundRow(
        "core",
        "customers",
        ("K-5",),
        {"customer_number": "K-5", "name": "Łukasz Şahin → Ærø €5 ✓", "city": "Århus"},
        Found.OWN,
        "test",
    )
    text = pdf_text(to_pdf(by_hand(datamap, programme, row), "sv"), tmp_path)
    assert "?ukasz Sahin -> Ærø €5 ?" in text
    assert "Århus" in text


def test_a_value_of_bytes_is_described_not_dumped(datamap: DataMap, programme: Programme) -> None:
    row = FoundRow(
        "core",
        "customers",
        ("K-6",),
        {"customer_number": "K-6", "name": b"\x00\x01\x02"},
        Found.OWN,
        "test",
    )
    answer = by_hand(datamap, programme, row)
    assert "(binära data, 3 byte)" in to_html(answer, "sv")
    fields = json.loads(to_json(answer, "sv"))["systems"][0]["tables"][0]["records"][0]["fields"]
    assert {"AAEC"} <= {f["value"] for f in fields}, "JSON keeps the bytes, in base64"
