"""Published programme versions, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select

from dataskydd import clock
from dataskydd.programme import Programme
from dataskydd.programme.text import LocalText
from dataskydd.store import versions
from dataskydd.store.engine import session_scope
from dataskydd.store.tables import ProgrammeVersionRow
from dataskydd.store.versions import VersionConflict

NOTICE = {"sv": "# Personuppgiftshantering\n", "en": "# Processing of personal data\n"}


def variant(
    programme: Programme,
    version: str,
    effective: str,
    *,
    significant: bool = False,
    summary: LocalText | None = None,
) -> Programme:
    """The programme with another notice version and effective date."""
    notice = programme.notice.model_copy(
        update={
            "version": version,
            "effective_date": date.fromisoformat(effective),
            "significant_change": significant,
            "change_summary": summary,
        }
    )
    return programme.model_copy(update={"notice": notice})


def publish(engine: Engine, programme: Programme, by: str = "dpo") -> versions.PublishedVersion:
    with session_scope(engine, write=True) as session:
        return versions.publish(session, programme, notice_markdown=NOTICE, published_by=by)


def count_rows(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(ProgrammeVersionRow)) or 0


def test_publish_records_the_version(store_engine: Engine, minimal_programme: Programme) -> None:
    summary = LocalText(sv="Nya mottagare.", en="New recipients.")
    programme = variant(minimal_programme, "2021-09-23", "2021-09-23", significant=True, summary=summary)
    with clock.frozen_at("2027-01-01T09:30"):
        published = publish(store_engine, programme, by="Dana DPO")

    assert published.programme_key == "minimal"
    assert published.version == "2021-09-23"
    assert published.effective_date == date(2021, 9, 23)
    assert published.significant_change is True
    assert published.change_summary == {"sv": "Nya mottagare.", "en": "New recipients."}
    assert published.published_at == datetime(2027, 1, 1, 8, 30, tzinfo=UTC)
    assert published.published_by == "Dana DPO"
    assert published.notice_sv == NOTICE["sv"]
    assert published.notice("en") == NOTICE["en"]
    assert published.content == programme.model_dump(mode="json")
    assert published.content_sha256 == versions.content_sha256(programme.model_dump(mode="json"))
    assert len(published.content_sha256) == 64

    with session_scope(store_engine) as session:
        again = versions.get_version(session, "minimal", "2021-09-23")
    # Detached values: usable after the session is gone, and the programme comes back whole.
    assert again == published
    assert again.programme() == programme


def test_publishing_the_same_content_again_returns_the_existing_version(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    with clock.frozen_at("2027-01-01"):
        first = publish(store_engine, minimal_programme, by="first")
    with clock.frozen_at("2027-02-01"):
        second = publish(store_engine, minimal_programme, by="second")
    assert second == first
    assert second.published_by == "first"
    assert count_rows(store_engine) == 1


def test_other_content_under_a_published_version_is_a_conflict(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    publish(store_engine, variant(minimal_programme, "2021-09-23", "2021-09-23"))
    changed = variant(minimal_programme, "2021-09-23", "2021-10-01")
    with pytest.raises(VersionConflict) as raised:
        publish(store_engine, changed)
    message = str(raised.value)
    assert "version 2021-09-23 is already published with other content; raise notice.version" in message
    assert "notice" in message.split("changed:")[1]
    assert count_rows(store_engine) == 1


def test_a_conflict_leaves_the_session_usable(store_engine: Engine, minimal_programme: Programme) -> None:
    publish(store_engine, variant(minimal_programme, "1", "2024-01-01"))
    with session_scope(store_engine) as session:
        with pytest.raises(VersionConflict):
            versions.publish(
                session,
                variant(minimal_programme, "1", "2024-02-01"),
                notice_markdown=NOTICE,
                published_by="dpo",
            )
        versions.publish(
            session, variant(minimal_programme, "2", "2024-02-01"), notice_markdown=NOTICE, published_by="dpo"
        )
    assert count_rows(store_engine) == 2


def test_publish_needs_both_languages_and_a_publisher(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    with session_scope(store_engine) as session:
        with pytest.raises(ValueError, match="missing for: en"):
            versions.publish(session, minimal_programme, notice_markdown={"sv": "x"}, published_by="dpo")
        with pytest.raises(ValueError, match="published_by"):
            versions.publish(session, minimal_programme, notice_markdown=NOTICE, published_by=" ")


def test_versions_are_listed_newest_effective_date_first(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    # Published out of order on purpose: the list follows effective dates, not publishing.
    for version, effective in [("2", "2025-06-01"), ("1", "2024-01-01"), ("3", "2027-03-01")]:
        publish(store_engine, variant(minimal_programme, version, effective))
    other = minimal_programme.model_copy(
        update={"programme": minimal_programme.programme.model_copy(update={"key": "other"})}
    )
    publish(store_engine, other)

    with session_scope(store_engine) as session:
        listed = versions.list_versions(session, "minimal")
        keys = versions.programme_keys(session)
        missing = versions.get_version(session, "minimal", "99")
    assert [v.version for v in listed] == ["3", "2", "1"]
    assert keys == ["minimal", "other"]
    assert missing is None


def test_the_version_in_effect_follows_the_clock(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    for version, effective in [("1", "2024-01-01"), ("2", "2025-06-01"), ("3", "2027-03-01")]:
        publish(store_engine, variant(minimal_programme, version, effective))

    with clock.frozen_at("2027-01-01"), session_scope(store_engine) as session:
        in_effect = versions.version_in_effect(session, "minimal")
        coming = versions.upcoming(session, "minimal")
    assert in_effect is not None and in_effect.version == "2"
    assert [v.version for v in coming] == ["3"]

    with session_scope(store_engine) as session:
        assert versions.version_in_effect(session, "minimal", date(2023, 12, 31)) is None
        first_day = versions.version_in_effect(session, "minimal", date(2024, 1, 1))
        assert first_day is not None and first_day.version == "1"
        from_march = versions.version_in_effect(session, "minimal", date(2027, 3, 1))
        assert from_march is not None and from_march.version == "3"
        assert versions.upcoming(session, "minimal", date(2027, 3, 1)) == []
        assert [v.version for v in versions.upcoming(session, "minimal", date(2020, 1, 1))] == [
            "1",
            "2",
            "3",
        ]
        assert versions.version_in_effect(session, "nobody", date(2027, 1, 1)) is None


def test_same_day_versions_the_later_publication_wins(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    with clock.frozen_at("2026-12-01"):
        publish(store_engine, variant(minimal_programme, "a", "2027-01-01"))
    with clock.frozen_at("2026-12-15"):
        publish(store_engine, variant(minimal_programme, "b", "2027-01-01"))
    with session_scope(store_engine) as session:
        in_effect = versions.version_in_effect(session, "minimal", date(2027, 1, 1))
    assert in_effect is not None and in_effect.version == "b"


def test_the_content_hash_is_canonical() -> None:
    assert versions.content_sha256({"b": 1, "a": "å"}) == versions.content_sha256({"a": "å", "b": 1})
    # sha256 of '{"a":"å","b":1}' in UTF-8: ensure_ascii=False and no spaces.
    import hashlib

    expected = hashlib.sha256('{"a":"å","b":1}'.encode()).hexdigest()
    assert versions.content_sha256({"b": 1, "a": "å"}) == expected


def test_publishers_racing_on_one_version_make_one_row(
    store_engine: Engine, minimal_programme: Programme
) -> None:
    results: list[versions.PublishedVersion] = []
    errors: list[BaseException] = []

    def run(by: str) -> None:
        try:
            with session_scope(store_engine, write=True) as session:
                results.append(
                    versions.publish(session, minimal_programme, notice_markdown=NOTICE, published_by=by)
                )
        except BaseException as exc:  # collected and reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"dpo {n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len({r.id for r in results}) == 1
    assert count_rows(store_engine) == 1
