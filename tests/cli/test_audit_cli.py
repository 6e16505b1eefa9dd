"""``dataskydd audit verify|head|list``: exit codes, the head as JSON, anchors and filters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from dataskydd.audit import log as audit_log
from dataskydd.cli import app
from dataskydd.cli import audit as audit_cli
from dataskydd.store import migrate
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.tables import AuditEventRecord

runner = CliRunner()
ANNA = "00000000-0000-4000-8000-000000000001"
BO = "00000000-0000-4000-8000-000000000002"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at an empty store: SQLite in the data directory, or PostgreSQL."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATASKYDD_DATABASE_URL_FILE", raising=False)
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("DATASKYDD_DATABASE_URL", url)
    return str(request.param)


@pytest.fixture
def logged(store: str) -> list[audit_log.AuditEntry]:
    """Five entries in the configured store: two people, tokens and consent."""
    migrate.upgrade()
    return append(
        ("Dana", "token.created", {"token": "crm", "scopes": ["permissions:read"]}, None),
        ("Dana", "consent.given", {"consent": 1, "purpose": "marketing"}, ANNA),
        ("Erik", "consent.given", {"consent": 2, "purpose": "recruitment"}, BO),
        ("Erik", "consent.withdrawn", {"consent": 1, "purpose": "marketing"}, ANNA),
        ("Dana", "token.revoked", {"token": "crm"}, None),
    )


def append(*items: tuple[str, str, dict[str, Any], str | None]) -> list[audit_log.AuditEntry]:
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            return [
                audit_log.append(session, actor, action, details, subject_ref=subject)
                for actor, action, details, subject in items
            ]
    finally:
        engine.dispose()


def tamper(statement: Any) -> None:
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            session.execute(statement)
    finally:
        engine.dispose()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    return " ".join(text.split())


def test_verify_an_intact_log_exits_0_with_the_count_and_head(
    logged: list[audit_log.AuditEntry],
) -> None:
    code, out, err = invoke("audit", "verify")
    assert code == 0, err
    assert "the audit log is intact: 5 entries checked" in out
    assert f"head: {logged[-1].hash}" in out


def test_verify_names_the_first_bad_entry_and_exits_1(logged: list[audit_log.AuditEntry]) -> None:
    seq = AuditEventRecord.seq
    tamper(update(AuditEventRecord).where(seq == 3).values(details={"consent": 9}))
    code, out, err = invoke("audit", "verify")
    assert code == 1 and out == ""
    assert "the audit log is broken at entry 3: its content or its hash was changed" in flat(err)
    assert f"the last good hash is {logged[1].hash}" in flat(err)

    tamper(delete(AuditEventRecord).where(seq == 2))
    code, _, err = invoke("audit", "verify")
    assert code == 1
    assert "broken at entry 2: missing (the log jumps from entry 1 to entry 3)" in flat(err)


def test_verify_shows_progress_on_a_large_log_and_still_reports(
    logged: list[audit_log.AuditEntry], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_cli, "PROGRESS_FROM", 1)
    monkeypatch.setattr(audit_log, "PROGRESS_EVERY", 2)
    code, out, err = invoke("audit", "verify")
    assert code == 0, err
    assert "5 entries checked" in out


def test_head_prints_json_for_anchoring(logged: list[audit_log.AuditEntry]) -> None:
    code, out, err = invoke("audit", "head")
    assert code == 0, err
    assert json.loads(out) == {
        "seq": 5,
        "hash": logged[-1].hash,
        "at": logged[-1].at.isoformat(timespec="microseconds"),
        "entries": 5,
    }


def test_head_out_writes_the_file_and_an_empty_log_has_no_head(store: str, tmp_path: Path) -> None:
    migrate.upgrade()
    code, _, err = invoke("audit", "head")
    assert code == 1 and "the audit log is empty" in err
    [entry] = append(("Dana", "token.created", {"token": "crm"}, None))
    code, out, err = invoke("audit", "head", "--out", str(tmp_path / "head.json"))
    assert code == 0, err
    assert "wrote the head (entry 1) to" in out
    written = json.loads((tmp_path / "head.json").read_text(encoding="utf-8"))
    assert (written["seq"], written["hash"], written["entries"]) == (1, entry.hash, 1)


def test_anchor_finds_the_newest_entries_removed(
    logged: list[audit_log.AuditEntry], tmp_path: Path
) -> None:
    anchor = tmp_path / "head.json"
    assert invoke("audit", "head", "--out", str(anchor))[0] == 0
    code, out, err = invoke("audit", "verify", "--anchor", str(anchor))
    assert code == 0, err
    assert "it reaches the anchored head (entry 5)" in out

    # Entries written after the anchor was taken are no problem.
    append(("Dana", "token.created", {"token": "billing"}, None))
    code, out, _ = invoke("audit", "verify", "--anchor", str(anchor))
    assert code == 0 and "6 entries checked" in out

    tamper(delete(AuditEventRecord).where(AuditEventRecord.seq >= 4))
    code, _, _ = invoke("audit", "verify")
    assert code == 0  # a truncated chain is whole: only the anchor can tell
    code, out, err = invoke("audit", "verify", "--anchor", str(anchor))
    assert code == 1 and out == ""
    assert (
        "broken at entry 4: missing: the log ends at entry 3 but was anchored at entry 5"
        in flat(err)
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the anchor"),
        ("{not json", "is not JSON"),
        ('{"seq": 0, "hash": "' + "a" * 64 + '"}', "is not a head written by"),
        ('{"seq": true, "hash": "' + "a" * 64 + '"}', "is not a head written by"),
        ('{"seq": 3, "hash": "abc"}', "is not a head written by"),
        ("[1, 2]", "is not a head written by"),
    ],
)
def test_an_unusable_anchor_is_a_usage_error(
    logged: list[audit_log.AuditEntry], tmp_path: Path, content: str | None, message: str
) -> None:
    anchor = tmp_path / "anchor.json"
    if content is not None:
        anchor.write_text(content, encoding="utf-8")
    code, out, err = invoke("audit", "verify", "--anchor", str(anchor))
    assert code == 2 and out == ""
    assert message in flat(err)


def test_a_store_never_migrated_is_not_an_intact_log(store: str) -> None:
    for command in ("verify", "head", "list"):
        code, out, err = invoke("audit", command)
        assert code == 2 and out == ""
        assert "has no audit log (it was never migrated)" in flat(err)


def test_list_prints_entries_newest_last_with_compact_details(
    logged: list[audit_log.AuditEntry],
) -> None:
    code, out, err = invoke("audit", "list")
    assert code == 0, err
    lines = [line.split("\t") for line in out.splitlines()]
    assert [fields[0] for fields in lines] == ["1", "2", "3", "4", "5"]
    first = lines[0]
    assert first[1] == logged[0].at.isoformat(timespec="seconds")
    assert first[2:] == [
        "Dana",
        "token.created",
        "-",
        '{"scopes":["permissions:read"],"token":"crm"}',
    ]
    assert lines[1][4] == ANNA


def test_list_filters_by_subject_action_and_limit(logged: list[audit_log.AuditEntry]) -> None:
    def seqs(*args: str) -> list[str]:
        code, out, err = invoke("audit", "list", *args)
        assert code == 0, err
        return [line.split("\t")[0] for line in out.splitlines()]

    assert seqs("--subject", ANNA) == ["2", "4"]
    assert seqs("--action", "token.") == ["1", "5"]
    assert seqs("--action", "consent.given", "--subject", BO) == ["3"]
    assert seqs("--limit", "2") == ["4", "5"]  # the newest, still newest last
    assert seqs("--action", "consent.", "--limit", "1") == ["4"]
    assert seqs("--limit", "0") == ["1", "2", "3", "4", "5"]
    code, out, err = invoke("audit", "list", "--action", "erasure.")
    assert code == 0 and out == "" and "No audit entries match" in err
