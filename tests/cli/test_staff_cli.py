"""``dataskydd staff add|list|disable|password``: passwords never as arguments, never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dataskydd.audit import log as audit_log
from dataskydd.auth import staff
from dataskydd.cli import app
from dataskydd.store.engine import make_engine, session_scope

runner = CliRunner()
PASSWORD = "lingonberry jam 1987"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at an empty store: SQLite in the data directory, or PostgreSQL."""
    monkeypatch.setenv("DATASKYDD_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATASKYDD_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATASKYDD_DATABASE_URL_FILE", raising=False)
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("DATASKYDD_DATABASE_URL", url)
    return str(request.param)


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def login(username: str, password: str) -> staff.StaffUser:
    engine = make_engine()
    try:
        with session_scope(engine, write=True) as session:
            return staff.authenticate(session, username, password)
    finally:
        engine.dispose()


def password_file(tmp_path: Path, text: str) -> str:
    path = tmp_path / "password.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_add_prompts_twice_for_a_hidden_password(store: str) -> None:
    code, out, err = invoke(
        "staff",
        "add",
        "Anna",
        "--name",
        "Anna Berg",
        "--role",
        "handler",
        "--by",
        "dpo",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    assert "added anna (Anna Berg) as handler" in out
    assert PASSWORD not in out + err
    assert login("anna", PASSWORD).display_name == "Anna Berg"


def test_add_reads_the_first_line_of_a_password_file(store: str, tmp_path: Path) -> None:
    file = password_file(tmp_path, f"{PASSWORD}\nignored\n")
    code, _, err = invoke(
        "staff", "add", "erik", "--name", "Erik", "--role", "engineer", "--password-file", file
    )
    assert code == 0, err
    assert login("erik", PASSWORD).username == "erik"


def test_add_reads_the_password_from_standard_input_with_a_dash(store: str) -> None:
    code, _, err = invoke(
        "staff",
        "add",
        "erik",
        "--name",
        "Erik",
        "--role",
        "auditor",
        "--password-file",
        "-",
        input=PASSWORD + "\n",
    )
    assert code == 0, err
    assert login("erik", PASSWORD).role.value == "auditor"


def test_there_is_no_password_option(store: str) -> None:
    code, _, err = invoke(
        "staff", "add", "anna", "--name", "Anna", "--role", "dpo", "--password", PASSWORD
    )
    assert code == 2 and "No such option" in err


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (("anna berg", "--name", "A", "--role", "dpo"), None, "USERNAME: a username is 1 to 80"),
        (("anna", "--name", " ", "--role", "dpo"), None, "--name: give the name shown"),
        (("anna", "--name", "A", "--role", "admin"), None, "--role: 'admin' is not a role"),
        (
            ("anna", "--name", "A", "--role", "dpo"),
            "short\nshort\n",
            "the password: a password needs at least 12",
        ),
        (("anna", "--name", "A", "--role", "dpo"), "anna\nanna\n", "at least 12 characters"),
        (
            ("anna", "--name", "A", "--role", "dpo", "--password-file", "/nonexistent/pw"),
            None,
            "--password-file: /nonexistent/pw cannot be read",
        ),
    ],
)
def test_usage_errors_exit_2_and_name_the_option(
    store: str, args: tuple[str, ...], input: str | None, message: str
) -> None:
    code, out, err = invoke("staff", "add", *args, input=input)
    assert code == 2
    assert message in " ".join(err.split())
    if input is not None and input.startswith("short"):
        assert "short" not in out + err  # the typed password is never echoed


def test_a_password_file_with_the_username_is_refused(store: str, tmp_path: Path) -> None:
    file = password_file(tmp_path, "anna.lindqvist\n")
    code, _, err = invoke(
        "staff", "add", "anna.lindqvist", "--name", "A", "--role", "dpo", "--password-file", file
    )
    assert code == 2 and "--password-file: a password cannot be the username" in err


def test_mismatched_confirmation_is_asked_again(store: str) -> None:
    code, _, err = invoke(
        "staff",
        "add",
        "anna",
        "--name",
        "Anna",
        "--role",
        "dpo",
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, err
    assert login("anna", PASSWORD).role.value == "dpo"


def test_a_username_cannot_be_taken_twice(store: str, tmp_path: Path) -> None:
    file = password_file(tmp_path, PASSWORD)
    invoke("staff", "add", "anna", "--name", "Anna", "--role", "dpo", "--password-file", file)
    code, _, err = invoke(
        "staff", "add", "ANNA", "--name", "Anna", "--role", "dpo", "--password-file", file
    )
    assert code == 2 and "a user named 'anna' exists already" in err


def test_list_shows_accounts_and_their_state_never_a_hash(store: str, tmp_path: Path) -> None:
    code, out, _ = invoke("staff", "list")
    assert code == 0 and "No staff yet" in out
    file = password_file(tmp_path, PASSWORD)
    invoke(
        "staff", "add", "anna", "--name", "Anna Berg", "--role", "handler", "--password-file", file
    )
    invoke("staff", "add", "erik", "--name", "Erik", "--role", "engineer", "--password-file", file)
    invoke("staff", "disable", "erik")
    code, out, _ = invoke("staff", "list")
    assert code == 0
    anna = next(line for line in out.splitlines() if line.startswith("anna"))
    erik = next(line for line in out.splitlines() if line.startswith("erik"))
    assert "Anna Berg" in anna and "handler" in anna and anna.rstrip().endswith("active")
    assert "engineer" in erik and "disabled" in erik
    assert "argon2" not in out and PASSWORD not in out


def test_disable_stops_sign_in_and_is_audited(store: str, tmp_path: Path) -> None:
    file = password_file(tmp_path, PASSWORD)
    invoke("staff", "add", "anna", "--name", "Anna", "--role", "handler", "--password-file", file)
    code, out, _ = invoke("staff", "disable", "anna", "--by", "dpo")
    assert code == 0 and "disabled anna" in out
    with pytest.raises(staff.LoginFailed):
        login("anna", PASSWORD)
    code, out, _ = invoke("staff", "disable", "anna")
    assert code == 0 and "was already disabled" in out
    code, _, err = invoke("staff", "disable", "nobody")
    assert code == 2 and "no user named 'nobody'" in err
    engine = make_engine()
    try:
        with session_scope(engine) as session:
            actions = [
                (e.actor, e.action) for e in audit_log.entries(session, action_prefix="staff.")
            ]
    finally:
        engine.dispose()
    assert ("dpo", "staff.disabled") in actions


def test_password_sets_a_new_one_and_unlocks(store: str, tmp_path: Path) -> None:
    file = password_file(tmp_path, PASSWORD)
    invoke("staff", "add", "anna", "--name", "Anna", "--role", "handler", "--password-file", file)
    for _ in range(5):
        with pytest.raises(staff.LoginFailed):
            login("anna", "not the password")
    code, out, err = invoke("staff", "password", "anna", input="a new password 2027\n" * 2)
    assert code == 0, err
    assert "new password set for anna" in out and "a new password" not in out + err
    assert login("anna", "a new password 2027").username == "anna"


def test_password_for_an_unknown_user_fails_before_asking(store: str) -> None:
    code, _, err = invoke("staff", "password", "nobody")
    assert code == 2 and "no user named 'nobody'" in err and "Password" not in err
