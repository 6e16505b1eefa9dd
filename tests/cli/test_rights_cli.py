"""`dataskydd access` and `dataskydd portability` as a case handler runs them.

The estate is real: two SQLite databases built here with SQLAlchemy Core, their data map
as YAML and the bundled programme. An "incomplete" estate adds a PostgreSQL CRM whose
connection variable is never set, so it cannot be asked.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from stdnum import luhn
from typer.testing import CliRunner

from dataskydd.cli import app


def pnr(birth: str, serial: str) -> str:
    return birth + serial + luhn.calc_check_digit(birth[2:] + serial)


ASA = pnr("19780412", "238")
GUNNAR = pnr("19650101", "123")
ASA_EMAIL = "asa.oberg@example.se"
SECRET = "Kronofogden"  # in Gunnar's chat message that mentions Åsa

runner = CliRunner()

CORE_YAML = """
system: {key: core, name: Kärnsystem, kind: sqlite, connection: {file: core.url}}
tables:
  - name: customers
    purposes: [contract]
    primary_key: [customer_number]
    columns:
      - {name: customer_number, category: identification, identity: customer_number}
      - {name: personnummer, category: identification.national_id, identity: personnummer, provided: true}
      - {name: name, category: identification.name, provided: true}
      - {name: email, category: contact.email, identity: email, provided: true}
      - {name: relationship_ended_at, retention_trigger: relationship_ended}
  - name: loans
    purposes: [contract]
    primary_key: [loan_id]
    columns:
      - {name: loan_id}
      - {name: customer_number, references: {table: customers, column: customer_number}}
      - {name: amount_sek, category: financial.debts}
      - {name: credit_note, category: financial.credit_assessment, internal_assessment: true}
"""

CHAT_YAML = """
system: {key: chat, name: Chatt, kind: sqlite, connection: {file: chat.url}}
tables:
  - name: chat_messages
    purposes: [contract]
    primary_key: [id]
    columns:
      - {name: id}
      - {name: email, category: contact.email, identity: email, provided: true}
      - {name: sent_at, retention_trigger: collected}
      - {name: message, category: communication.chat, free_text: true, provided: true}
"""

CRM_YAML = """
system:
  key: crm
  name: Kundregister
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


def build_estate(root: Path, *, with_crm: bool = False) -> Path:
    """The databases and the data map; returns the data map's folder."""
    meta = sa.MetaData()
    customers = sa.Table(
        "customers",
        meta,
        sa.Column("customer_number", sa.String, primary_key=True),
        sa.Column("personnummer", sa.String),
        sa.Column("name", sa.String),
        sa.Column("email", sa.String),
        sa.Column("relationship_ended_at", sa.Date),
    )
    loans = sa.Table(
        "loans",
        meta,
        sa.Column("loan_id", sa.String, primary_key=True),
        sa.Column("customer_number", sa.String),
        sa.Column("amount_sek", sa.Integer),
        sa.Column("credit_note", sa.String),
    )
    chat_meta = sa.MetaData()
    messages = sa.Table(
        "chat_messages",
        chat_meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("message", sa.Text),
    )
    core = sa.create_engine(f"sqlite:///{root / 'core.db'}")
    meta.create_all(core)
    with core.begin() as connection:
        connection.execute(
            customers.insert(),
            [
                {
                    "customer_number": "K-1",
                    "personnummer": ASA,
                    "name": "Åsa Öberg",
                    "email": ASA_EMAIL,
                    "relationship_ended_at": date(2024, 6, 30),
                },
                {
                    "customer_number": "K-2",
                    "personnummer": GUNNAR,
                    "name": "Gunnar Ek",
                    "email": "gunnar@example.se",
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
                    "amount_sek": 250000,
                    "credit_note": "Stabil",
                },
                {
                    "loan_id": "L-2",
                    "customer_number": "K-2",
                    "amount_sek": 90000,
                    "credit_note": None,
                },
            ],
        )
    core.dispose()
    chat = sa.create_engine(f"sqlite:///{root / 'chat.db'}")
    chat_meta.create_all(chat)
    with chat.begin() as connection:
        connection.execute(
            messages.insert(),
            [
                {
                    "id": 1,
                    "email": ASA_EMAIL,
                    "sent_at": datetime(2025, 11, 3, 14, 5),
                    "message": "Kan jag ändra amorteringen? /Åsa",
                },
                {
                    "id": 2,
                    "email": "gunnar@example.se",
                    "sent_at": datetime(2025, 11, 4, 9),
                    "message": f"Min kompanjon {ASA} borgar för mig hos {SECRET}.",
                },
            ],
        )
    chat.dispose()
    folder = root / "datamap"
    folder.mkdir()
    (folder / "core.url").write_text(f"sqlite:///{root / 'core.db'}\n")
    (folder / "chat.url").write_text(f"sqlite:///{root / 'chat.db'}\n")
    (folder / "core.yaml").write_text(CORE_YAML, encoding="utf-8")
    (folder / "chat.yaml").write_text(CHAT_YAML, encoding="utf-8")
    if with_crm:
        (folder / "crm.yaml").write_text(CRM_YAML, encoding="utf-8")
    return folder


@pytest.fixture()
def datamap(tmp_path: Path) -> Path:
    return build_estate(tmp_path)


@pytest.fixture()
def incomplete_datamap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("DATASKYDD_TEST_CRM_URL_NEVER_SET", raising=False)
    return build_estate(tmp_path, with_crm=True)


def access(datamap: Path, out: Path, *args: str) -> list[str]:
    return ["access", "--personnummer", ASA, "--datamap", str(datamap), "--out", str(out), *args]


def unzip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# -- access -----------------------------------------------------------------------------------


def test_a_malformed_personnummer_exits_2_with_the_message_naming_the_option(
    tmp_path: Path,
) -> None:
    result = runner.invoke(app, ["access", "--personnummer", "19780412-2384", "--out", "x.zip"])
    assert result.exit_code == 2
    assert "--personnummer" in result.output
    assert "the check digit should be" in result.output
    assert "19780412-2384" not in result.output  # the message does not repeat the value
    assert not (tmp_path / "x.zip").exists()


def test_a_malformed_email_names_its_own_option(datamap: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, [*access(datamap, tmp_path / "a.zip"), "--email", "inte-en-adress"])
    assert result.exit_code == 2
    assert "--email" in result.output


def test_access_without_any_identity_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["access", "--out", str(tmp_path / "a.zip")])
    assert result.exit_code == 2
    assert "give at least one identity" in result.output


def test_access_writes_the_zip_and_summarises_with_counts_and_refs_only(
    datamap: Path, tmp_path: Path
) -> None:
    out = tmp_path / "svar.zip"
    result = runner.invoke(app, access(datamap, out))
    assert result.exit_code == 0, result.output
    files = unzip(out)
    assert {"letter.pdf", "letter.html", "answer.json", "README.txt"} <= set(files)
    assert "core/customers.csv" in files and "chat/chat_messages.csv" in files
    assert "Åsa Öberg" in files["core/customers.csv"].decode("utf-8-sig")
    assert "systems: 2 answered, 0 failed, 0 manual" in result.output
    assert "items: 3 own, 1 mention, 0 context; 0 withheld" in result.output
    assert "core/loans/L-1 (internal assessment)" in result.output
    assert "chat/chat_messages/2 (mention)" in result.output
    for value in (ASA, ASA[2:], "Åsa", ASA_EMAIL, SECRET, "250000"):
        assert value not in result.output, f"{value!r} printed"


def test_an_incomplete_answer_exits_3_names_the_system_and_still_writes_the_letter(
    incomplete_datamap: Path, tmp_path: Path
) -> None:
    out = tmp_path / "svar.html"
    result = runner.invoke(app, access(incomplete_datamap, out, "--format", "html"))
    assert result.exit_code == 3, result.output
    assert "incomplete" in result.output
    assert "crm: " in result.output and "DATASKYDD_TEST_CRM_URL_NEVER_SET" in result.output
    assert "systems: 2 answered, 1 failed, 0 manual" in result.output
    letter = out.read_text(encoding="utf-8")
    assert "Vi kunde inte fråga följande system när svaret togs fram: Kundregister." in letter


def test_withholding_keeps_the_item_out_and_records_the_operator(
    datamap: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "handlaggare")
    monkeypatch.setenv("LOGNAME", "handlaggare")
    out, staff = tmp_path / "svar.zip", tmp_path / "staff.json"
    result = runner.invoke(
        app,
        access(
            datamap,
            out,
            "--withhold",
            "chat/chat_messages/2=other_person:Gunnars meddelande",
            "--staff-record",
            str(staff),
        ),
    )
    assert result.exit_code == 0, result.output
    assert "withheld chat/chat_messages/2 (other_person) by handlaggare" in result.output
    for name, data in unzip(out).items():
        if name != "letter.pdf":
            assert SECRET.encode() not in data, name
    record = json.loads(staff.read_text(encoding="utf-8"))
    [held] = record["withheld"]["items"]
    assert held["ref"] == "chat/chat_messages/2"
    assert held["by"] == "handlaggare" and held["note"] == "Gunnars meddelande"
    assert SECRET not in staff.read_text(encoding="utf-8")


def test_withholding_an_unknown_ref_is_a_usage_error(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "svar.zip"
    result = runner.invoke(app, access(datamap, out, "--withhold", "core/x/1=trade_secret:why"))
    assert result.exit_code == 2
    assert "no item 'core/x/1'" in result.output
    assert not out.exists()


def test_a_withholding_needs_a_known_reason_and_a_note(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "svar.zip"
    bad_reason = runner.invoke(app, access(datamap, out, "--withhold", "a/b/1=because:why"))
    assert bad_reason.exit_code == 2 and "other_person" in bad_reason.output
    no_note = runner.invoke(app, access(datamap, out, "--withhold", "a/b/1=trade_secret"))
    assert no_note.exit_code == 2 and "REF=REASON:NOTE" in no_note.output


def test_an_invalid_data_map_is_reported_with_file_and_line(datamap: Path, tmp_path: Path) -> None:
    text = (datamap / "chat.yaml").read_text(encoding="utf-8")
    (datamap / "chat.yaml").write_text(
        text.replace("communication.chat", "communication.chatt"), encoding="utf-8"
    )
    result = runner.invoke(app, access(datamap, tmp_path / "svar.zip"))
    assert result.exit_code == 1
    assert "chat.yaml:" in result.output and "communication.chatt" in result.output


def test_the_data_map_comes_from_the_environment(
    datamap: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATASKYDD_DATAMAP", str(datamap))
    out = tmp_path / "svar.json"
    result = runner.invoke(
        app, ["access", "--email", ASA_EMAIL, "--format", "json", "--lang", "en", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["meta"]["complete"] is True and document["meta"]["language"] == "en"


def test_access_writes_a_pdf(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "svar.pdf"
    result = runner.invoke(app, access(datamap, out, "--format", "pdf", "--lang", "en"))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


# -- portability ------------------------------------------------------------------------------


def portability(datamap: Path, out: Path, *args: str) -> list[str]:
    return [
        "portability",
        "--personnummer",
        ASA,
        "--datamap",
        str(datamap),
        "--out",
        str(out),
        *args,
    ]


def test_portability_writes_only_what_she_gave_us(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    result = runner.invoke(app, portability(datamap, out, "--format", "json"))
    assert result.exit_code == 0, result.output
    tables = {t["table"]: t for t in json.loads(out.read_text(encoding="utf-8"))["tables"]}
    assert tables["customers"]["columns"] == ["personnummer", "name", "email"]
    assert [r["message"] for r in tables["chat_messages"]["rows"]] == [
        "Kan jag ändra amorteringen? /Åsa"
    ], "her own message, not Gunnar's that mentions her"
    assert "loans" not in tables
    assert ASA not in result.output and "Åsa" not in result.output


def test_portability_zip_has_csv_and_json(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    result = runner.invoke(app, portability(datamap, out))
    assert result.exit_code == 0, result.output
    assert {"portability.json", "core/customers.csv", "chat/chat_messages.csv"} == set(unzip(out))


def test_send_to_refuses_http_before_searching(datamap: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    result = runner.invoke(
        app, portability(datamap, out, "--send-to", "http://mottagare.example/inkorg")
    )
    assert result.exit_code == 2
    assert "--send-to" in result.output and "https://" in result.output
    assert not out.exists()


def test_an_incomplete_export_is_written_but_not_sent(
    incomplete_datamap: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export.zip"
    result = runner.invoke(
        app, portability(incomplete_datamap, out, "--send-to", "https://127.0.0.1:9/inkorg")
    )
    assert result.exit_code == 3, result.output
    assert "not sent" in result.output and "crm" in result.output
    assert out.exists()


def test_a_failed_transfer_exits_1_with_the_reason(datamap: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, portability(datamap, tmp_path / "export.zip", "--send-to", "https://127.0.0.1:9/in")
    )
    assert result.exit_code == 1
    assert "could not connect to the receiving controller at 127.0.0.1:9" in result.output


def test_a_system_checked_by_hand_gets_a_task_with_its_checklist_and_due_date(
    datamap: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataskydd import clock
    from dataskydd.store.engine import make_engine, session_scope
    from dataskydd.store.tasks import open_tasks

    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path / "store"))
    (datamap / "archive.yaml").write_text(
        "system:\n"
        "  key: archive\n"
        "  name: Pappersarkiv\n"
        "  kind: manual\n"
        "  categories: [identification.name]\n"
        "  manual:\n"
        "    assignee: Arkivet\n"
        "    due_days: 7\n"
        "    checklist:\n"
        "      - {sv: Sök i pärmarna, en: Search the binders}\n",
        encoding="utf-8",
    )
    with clock.frozen_at("2026-11-26"):
        result = runner.invoke(app, access(datamap, tmp_path / "svar.zip"))
    assert result.exit_code == 0, result.output
    assert "systems: 2 answered, 0 failed, 1 manual" in result.output
    assert "manual: task 1 for archive (Arkivet), due 2026-12-03" in result.output
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            [task] = open_tasks(session, system_key="archive")
    finally:
        engine.dispose()
    assert task.checklist[0].sv == "Sök i pärmarna"
    assert ASA not in task.identities_ref and ASA not in task.request_ref
