"""The suppression list and the filtering of a purchased contact list through it.

Whoever objected to direct marketing is not in the next list we buy, whichever identity the
list carries them by; the report says which lines went and why, never what was on them.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dataskydd.audit import log as audit_log
from dataskydd.consent import suppression
from dataskydd.consent.suppression import DropReason, PurchasedListError
from dataskydd.identity.keyed import identity_hash
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import Programme
from dataskydd.rights import objection
from dataskydd.rights.subjects import Canonical, hashes
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import AuditEventRecord, SuppressionRecord

PNR = (IdentityKind.PERSONNUMMER, "198503121264")
EMAIL = (IdentityKind.EMAIL, "anna.lind@example.se")
PHONE = (IdentityKind.PHONE, "+46701234567")
KARL: list[Canonical] = [PNR, EMAIL, PHONE]

# The values a purchased list may carry Karl by, written as lists write them.
KARL_WRITTEN = {
    IdentityKind.PERSONNUMMER: "19850312-1264",
    IdentityKind.EMAIL: "Anna.Lind@Example.SE",
    IdentityKind.PHONE: "070-123 45 67",
}


@pytest.fixture
def engine(sqlite_engine: Engine) -> Iterator[Engine]:
    yield sqlite_engine


def suppress_karl(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        suppression.suppress(session, hashes(KARL), reason="objection", actor="test")


def write_list(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file, delimiter=delimiter).writerows(rows)
    return path


def read_list(path: Path, delimiter: str = ";") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file, delimiter=delimiter))


def filter_list(
    engine: Engine, source: Path, **options: int
) -> tuple[suppression.ImportReport, Path]:
    out = source.with_name("ut.csv")
    with engine.connect() as connection:
        report = suppression.filter_purchased_list(connection, source, out, **options)
    return report, out


# -- the list itself -----------------------------------------------------------------------------


def test_suppressing_counts_only_what_is_new_and_names_nobody(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        assert suppression.suppress(session, hashes(KARL[:2]), reason="objection", actor="t") == 2
        assert suppression.suppress(session, hashes(KARL), reason="objection", actor="t") == 1
        assert suppression.suppress(session, hashes(KARL), reason="objection", actor="t") == 0
        assert suppression.suppress(session, {}, reason="objection", actor="t") == 0
        stored = session.scalars(select(SuppressionRecord)).all()
        events = session.scalars(select(AuditEventRecord)).all()
    assert {row.identity_hash for row in stored} == set(hashes(KARL))
    assert {row.kind for row in stored} == {"personnummer", "email", "phone"}
    assert [e.details for e in events] == [
        {"identities": 2, "reason": "objection"},
        {"identities": 1, "reason": "objection"},
    ]
    dump = repr([(r.identity_hash, r.kind, r.reason) for r in stored])
    for _kind, value in KARL:
        assert value not in dump


def test_suppressed_among_finds_the_hashes_on_the_list(engine: Engine) -> None:
    suppress_karl(engine)
    someone = identity_hash(IdentityKind.EMAIL, "bo@example.se")
    karl = identity_hash(*EMAIL)
    with engine.connect() as connection:
        assert suppression.suppressed_among(connection, [someone, karl, karl]) == {karl}
        assert suppression.suppressed_among(connection, []) == set()
        assert suppression.is_suppressed(connection, [karl])
        assert not suppression.is_suppressed(connection, [someone])


def test_a_samordningsnummer_is_suppressed_as_the_personnummer_family(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        suppression.suppress(
            session,
            {
                identity_hash(IdentityKind.SAMORDNINGSNUMMER, "198503721238"): (
                    IdentityKind.SAMORDNINGSNUMMER
                )
            },
            reason="objection",
            actor="t",
        )
        assert session.scalars(select(SuppressionRecord.kind)).one() == "personnummer"


# -- filtering a purchased list --------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KARL_WRITTEN), ids=str)
def test_a_purchased_list_loses_the_suppressed_person_whichever_column_carries_them(
    engine: Engine, tmp_path: Path, kind: IdentityKind
) -> None:
    suppress_karl(engine)
    header = ["Namn", "E-post", "Mobil", "Personnummer"]
    column = {IdentityKind.EMAIL: 1, IdentityKind.PHONE: 2, IdentityKind.PERSONNUMMER: 3}[kind]
    karl = ["Karl B", "", "", ""]
    karl[column] = KARL_WRITTEN[kind]
    erik = ["Erik B", "erik@example.se", "", ""]
    source = write_list(tmp_path / "köpt.csv", [header, erik, karl])
    report, out = filter_list(engine, source)
    assert read_list(out) == [header, erik]
    assert (report.read, report.kept, report.dropped_total) == (2, 1, 1)
    assert report.dropped == [suppression.DroppedRow(3, DropReason.SUPPRESSED)]
    assert report.identity_columns == {
        "E-post": IdentityKind.EMAIL,
        "Mobil": IdentityKind.PHONE,
        "Personnummer": IdentityKind.PERSONNUMMER,
    }
    text = repr(report)
    for value in [*KARL_WRITTEN.values(), "Karl", "erik@example.se"]:
        assert value not in text


def test_a_comma_list_with_english_headers_is_filtered_and_written_back_with_commas(
    engine: Engine, tmp_path: Path
) -> None:
    suppress_karl(engine)
    rows = [
        ["Email Address", "Mobile Phone", "Company"],
        ["anna.lind@example.se", "", "Lind AB"],
        ["bo@example.se", "+46 70 765 43 21", "Berg, Bo & Co"],
    ]
    source = write_list(tmp_path / "bought.csv", rows, delimiter=",")
    report, out = filter_list(engine, source)
    assert read_list(out, delimiter=",") == [rows[0], rows[2]]
    assert set(report.identity_columns.values()) == {IdentityKind.EMAIL, IdentityKind.PHONE}
    assert "," in out.read_text(encoding="utf-8").splitlines()[0]


def test_a_tab_separated_list_saved_with_a_byte_order_mark_is_read(
    engine: Engine, tmp_path: Path
) -> None:
    suppress_karl(engine)
    source = tmp_path / "lista.txt"
    source.write_text(
        "e_post\tnamn\nanna.lind@example.se\tAnna\nbo@example.se\tBo\n", encoding="utf-8-sig"
    )
    report, out = filter_list(engine, source)
    assert list(report.identity_columns) == ["e_post"]
    assert read_list(out, delimiter="\t") == [["e_post", "namn"], ["bo@example.se", "Bo"]]


def test_a_malformed_identity_is_reported_and_its_cell_emptied_when_the_row_is_kept(
    engine: Engine, tmp_path: Path
) -> None:
    suppress_karl(engine)
    header = ["Namn", "E-post", "Mobil", "Personnummer"]
    rows = [
        header,
        ["Cilla", "cilla@", "0707654321", ""],  # kept by the phone, e-mail emptied
        ["Dan", "dan@example", "", "19850312-1265"],  # both malformed: nothing to check by
        ["Karl", "inte-en-adress", "", "198503121264"],  # suppressed by the valid pnr
        ["Eva", "", "", ""],  # no identity at all
    ]
    source = write_list(tmp_path / "köpt.csv", rows)
    report, out = filter_list(engine, source)
    assert read_list(out) == [header, ["Cilla", "", "0707654321", ""]]
    assert (report.read, report.kept) == (4, 1)
    # Rows without a valid identity are reported as read, suppressed ones as their batch is
    # looked up: the details are not in line order.
    assert sorted(report.dropped, key=lambda d: d.line) == [
        suppression.DroppedRow(3, DropReason.NO_VALID_IDENTITY),
        suppression.DroppedRow(4, DropReason.SUPPRESSED),
        suppression.DroppedRow(5, DropReason.NO_VALID_IDENTITY),
    ]
    assert report.dropped_count == {DropReason.NO_VALID_IDENTITY: 2, DropReason.SUPPRESSED: 1}
    assert [(m.line, m.column) for m in report.malformed] == [
        (2, "E-post"),
        (3, "E-post"),
        (3, "Personnummer"),
        (4, "E-post"),
    ]
    assert report.malformed_count == 4 and not report.truncated
    assert "check digit" in report.malformed[2].reason
    text = repr(report)
    for value in ("cilla@", "dan@example", "19850312-1265", "inte-en-adress", "0707654321"):
        assert value not in text


def test_line_numbers_count_the_lines_of_the_file_and_skip_blank_ones(
    engine: Engine, tmp_path: Path
) -> None:
    suppress_karl(engine)
    source = tmp_path / "köpt.csv"
    source.write_text(
        "Namn;E-post\n"
        '"Bo\nBerg";bo@example.se\n'  # a quoted name over two lines: the row starts on line 2
        "\n"
        ";;\n"
        "Karl;anna.lind@example.se\n",  # line 6
        encoding="utf-8",
    )
    report, out = filter_list(engine, source)
    assert report.dropped == [suppression.DroppedRow(6, DropReason.SUPPRESSED)]
    assert report.read == 2 and report.kept == 1
    assert read_list(out)[1] == ["Bo\nBerg", "bo@example.se"]


def test_a_row_the_reader_cannot_parse_is_dropped_and_the_filter_goes_on(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "köpt.csv"
    source.write_text(
        "Namn;E-post\n" + "x" * 200_000 + ";a@example.se\nBo;bo@example.se\n", encoding="utf-8"
    )
    report, out = filter_list(engine, source)
    assert report.dropped == [suppression.DroppedRow(2, DropReason.UNREADABLE)]
    assert (report.read, report.kept) == (2, 1)
    assert read_list(out) == [["Namn", "E-post"], ["Bo", "bo@example.se"]]


def test_batches_of_any_size_filter_alike(engine: Engine, tmp_path: Path) -> None:
    suppress_karl(engine)
    rows = [["E-post"]] + [[f"p{n}@example.se"] for n in range(7)] + [["anna.lind@example.se"]]
    rows += [[f"q{n}@example.se"] for n in range(4)]
    source = write_list(tmp_path / "köpt.csv", rows)
    outcomes = []
    for size in (1, 3, 500):
        report, out = filter_list(engine, source, batch_rows=size)
        outcomes.append((read_list(out), report.kept, report.dropped))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    assert outcomes[0][2] == [suppression.DroppedRow(9, DropReason.SUPPRESSED)]


def test_the_report_keeps_at_most_the_detail_limit_but_counts_everything(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suppression, "DETAIL_LIMIT", 2)
    rows = [["E-post"]] + [[f"fel{n}"] for n in range(5)]
    report, _ = filter_list(engine, write_list(tmp_path / "köpt.csv", rows))
    assert report.dropped_total == 5 and len(report.dropped) == 2
    assert report.malformed_count == 5 and len(report.malformed) == 2
    assert report.truncated


def test_a_list_without_an_identity_column_is_refused_with_the_names_it_accepts(
    engine: Engine, tmp_path: Path
) -> None:
    source = write_list(tmp_path / "köpt.csv", [["Namn", "Adress"], ["Anna", "Storgatan 1"]])
    with pytest.raises(PurchasedListError, match="no identity column") as caught:
        filter_list(engine, source)
    for name in ("e-post", "email", "mobil", "telefon", "personnummer", "pnr"):
        assert name in str(caught.value)
    assert "Anna" not in str(caught.value)
    assert not (tmp_path / "ut.csv").exists() and not (tmp_path / "ut.csv.part").exists()


def test_an_empty_list_is_refused(engine: Engine, tmp_path: Path) -> None:
    source = tmp_path / "tom.csv"
    source.write_text("\n", encoding="utf-8")
    with pytest.raises(PurchasedListError, match="empty"):
        filter_list(engine, source)


def test_a_list_that_is_not_utf8_is_refused_and_leaves_no_half_written_output(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "köpt.csv"
    source.write_bytes("E-post;Namn\nanna@example.se;Åsa Öberg\n".encode("cp1252"))
    out = tmp_path / "ut.csv"
    out.write_text("the previous output\n", encoding="utf-8")
    with pytest.raises(PurchasedListError, match="not UTF-8"):
        filter_list(engine, source)
    assert out.read_text(encoding="utf-8") == "the previous output\n"
    assert not (tmp_path / "ut.csv.part").exists()


def test_header_names_are_recognised_whatever_their_case_spaces_and_underscores() -> None:
    found = suppression.recognise_columns(
        [" E-Post ", "Mobile_Phone", "PHONE NUMBER", "personnr", "Namn", "Telefon nummer"]
    )
    assert found == {
        0: IdentityKind.EMAIL,
        1: IdentityKind.PHONE,
        2: IdentityKind.PHONE,
        3: IdentityKind.PERSONNUMMER,
    }


def test_a_name_with_double_quotes_is_kept_as_it_was_written(
    engine: Engine, tmp_path: Path
) -> None:
    source = tmp_path / "köpt.csv"
    source.write_text('Namn;E-post\n"Anna ""Annie"" Lind";annie@example.se\n', encoding="utf-8")
    report, out = filter_list(engine, source)
    assert report.kept == 1
    assert read_list(out) == [["Namn", "E-post"], ['Anna "Annie" Lind', "annie@example.se"]]


def test_a_list_with_a_space_after_each_comma_still_drops_a_suppressed_phone(
    engine: Engine, tmp_path: Path
) -> None:
    suppress_karl(engine)
    source = tmp_path / "köpt.csv"
    source.write_text(
        'email, name, phone\nny@example.se, "Lindqvist, Anna", 070-123 45 67\n'
        'annan@example.se, "Ek, Bo", 070-999 88 77\n',
        encoding="utf-8",
    )
    report, out = filter_list(engine, source)
    assert report.kept == 1
    assert report.dropped_count == {suppression.DropReason.SUPPRESSED: 1}
    assert read_list(out, ",")[1:] == [["annan@example.se", "Ek, Bo", "070-999 88 77"]]


def test_a_row_with_more_cells_than_the_header_is_dropped_as_unreadable(
    engine: Engine, tmp_path: Path
) -> None:
    """Its cells have shifted: no column can be trusted to hold what its header says."""
    suppress_karl(engine)
    source = tmp_path / "köpt.csv"
    source.write_text(
        "email,name,phone\nny@example.se,Lindqvist, Anna,070-123 45 67\n", encoding="utf-8"
    )
    report, out = filter_list(engine, source)
    assert report.kept == 0
    assert report.dropped_count == {suppression.DropReason.UNREADABLE: 1}
    assert read_list(out, ",") == [["email", "name", "phone"]]


def test_a_tab_separated_list_is_read_as_tabs(engine: Engine, tmp_path: Path) -> None:
    suppress_karl(engine)
    rows = [["E-post", "Namn"], [KARL_WRITTEN[IdentityKind.EMAIL], "Karl"], ["ny@example.se", "Ny"]]
    source = write_list(tmp_path / "köpt.tsv", rows, "\t")
    report, out = filter_list(engine, source)
    assert report.kept == 1 and report.dropped_count == {suppression.DropReason.SUPPRESSED: 1}
    assert read_list(out, "\t") == [["E-post", "Namn"], ["ny@example.se", "Ny"]]


# -- two objections at once (PostgreSQL) ---------------------------------------------------------


@pytest.mark.postgres
def test_two_direct_marketing_objections_at_once_for_one_address_suppress_it_once(
    postgres_engine: Engine, programme: Programme
) -> None:
    barrier = threading.Barrier(2)
    results: list[objection.DirectMarketingObjection] = []
    errors: list[BaseException] = []

    def object_by(identities: list[Canonical]) -> None:
        try:
            barrier.wait(10)
            with session_scope(postgres_engine, write=True) as session:
                results.append(
                    objection.object_to_direct_marketing(session, programme, identities, "web")
                )
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=object_by, args=([EMAIL],)),
        threading.Thread(target=object_by, args=([EMAIL, PHONE],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(results) == 2
    with session_scope(postgres_engine) as session:
        suppressed = session.scalars(select(SuppressionRecord.identity_hash)).all()
        assert sorted(suppressed) == sorted(hashes([EMAIL, PHONE]))
        assert audit_log.verify(session).ok  # the two wrote one unbroken chain


@pytest.mark.postgres
def test_two_suppressions_of_one_address_at_once_count_it_as_new_once(
    postgres_engine: Engine,
) -> None:
    added: list[int] = []
    inserted = threading.Event()

    def second() -> None:
        inserted.wait(10)
        with postgres_engine.begin() as connection:
            # Waits on the first transaction's uncommitted row, then does nothing.
            added.append(
                suppression.suppress(connection, hashes([EMAIL]), reason="objection", actor="b")
            )

    thread = threading.Thread(target=second)
    thread.start()
    with postgres_engine.begin() as connection:
        added.append(
            suppression.suppress(connection, hashes([EMAIL]), reason="objection", actor="a")
        )
        inserted.set()
        thread.join(0.5)  # the second has read the list (without our row) and is blocked
    thread.join(10)
    assert not thread.is_alive()
    assert sorted(added) == [0, 1]
