"""An erasure that stops anywhere ends, when started again, as if it had never stopped."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dataskydd import clock
from dataskydd.datamap.loader import load_datamap
from dataskydd.demo.estate import build
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme import load_template
from dataskydd.rights import erasure_run
from dataskydd.rights.erasure import Ground
from dataskydd.rights.erasure_bulk import plan_many
from dataskydd.rights.erasure_run import ErasureFailed, execute, record
from dataskydd.rights.service import open_estate
from dataskydd.store.engine import make_engine, session_scope
from dataskydd.store.migrate import upgrade
from dataskydd.store.tables import ErasureBatchRecord, ErasureRunRecord

ROOT = Path(__file__).resolve().parents[2]


class Crash(Exception):
    """Stands for the process dying between two batches."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def dump(urls: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    import sqlalchemy as sa

    state: dict[str, list[tuple[object, ...]]] = {}
    for key, url in sorted(urls.items()):
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                rows = connection.execute(sa.text(f'SELECT * FROM "{table}" ORDER BY 1'))
                state[f"{key}.{table}"] = [tuple(r) for r in rows]
        engine.dispose()
    return state


def erase_all(
    tmp_path: Path,
    store: Engine,
    stop_after: int | None,
    journal_fails: pytest.MonkeyPatch | None = None,
) -> dict[str, list[tuple[object, ...]]]:
    with clock.frozen_at("2026-11-26"):
        estate = build(tmp_path / f"estate-{stop_after}", persons=200)
    programme = load_template()
    datamap = load_datamap(estate.datamap_dir, programme)
    people = [[(IdentityKind.PERSONNUMMER, p.personnummer)] for p in estate.planted]
    with clock.frozen_at("2026-12-02"), open_estate(datamap) as open_:
        with open_.connectors["core"].engine.connect() as connection:  # type: ignore[attr-defined]
            import sqlalchemy as sa

            numbers = connection.execute(
                sa.text("SELECT personnummer FROM customers WHERE personnummer IS NOT NULL")
            ).scalars()
            people += [[(IdentityKind.PERSONNUMMER, n)] for n in numbers]
        plans = plan_many(programme, open_, people[:120], [Ground.UNLAWFUL])
        run_id = record(store, plans, datamap, "test")
        if stop_after is not None:
            seen = 0

            def die(_system: str, _seq: int, _rows: int) -> None:
                nonlocal seen
                seen += 1
                if seen == stop_after:
                    raise Crash

            with pytest.raises(Crash):
                execute(store, open_, run_id, actor="test", batch_rows=2, after_batch=die)
        if journal_fails is not None:
            # The app store refuses the third batch's journal row: the run ends "failed",
            # saying why, and a second run finishes it.
            marked = 0
            original = erasure_run._mark_done

            def refuse_third(*args: object) -> None:
                nonlocal marked
                marked += 1
                if marked == 3:
                    raise OSError("disk full")
                original(*args)  # type: ignore[arg-type]

            with journal_fails.context() as patch:
                patch.setattr(erasure_run, "_mark_done", refuse_third)
                with pytest.raises(ErasureFailed, match="journal"):
                    execute(store, open_, run_id, actor="test", batch_rows=2)
            with session_scope(store) as session:
                stopped = session.get(ErasureRunRecord, run_id)
                assert stopped is not None and stopped.status == "failed"
        result = execute(store, open_, run_id, actor="test", batch_rows=2)
        assert result.status == "verified", result.problems
        if stop_after is not None:
            assert result.batches_skipped >= stop_after
        with session_scope(store) as session:
            assert session.get(ErasureRunRecord, run_id).status == "verified"  # type: ignore[union-attr]
            assert session.execute(select(ErasureBatchRecord)).first() is not None
        again = execute(store, open_, run_id, actor="test")
        assert again.status == "verified" and again.rows_written == 0
    return dump(dict(estate.urls))


@pytest.mark.parametrize("stop_after", [1, 3, 7])
def test_a_run_stopped_after_any_batch_resumes_to_the_uninterrupted_end_state(
    tmp_path: Path, store: Engine, stop_after: int
) -> None:
    reference = erase_all(tmp_path, store, None)
    assert erase_all(tmp_path, store, stop_after) == reference


def test_the_executor_killed_at_random_points_always_ends_in_the_same_state(tmp_path: Path) -> None:
    # The real thing, small: a child process SIGKILLed mid-run, then resumed (see the
    # benchmark for 10,000 persons and 20 trials).
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "erasure_crash.py"),
            "--persons",
            "300",
            "--trials",
            "3",
            "--batch-rows",
            "10",
            "--work",
            str(tmp_path / "crash"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3/3 trials ended in the uninterrupted state" in result.stdout


def test_a_journal_the_store_refuses_fails_the_run_and_a_second_run_finishes_it(
    tmp_path: Path, store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = erase_all(tmp_path, store, None)
    again = tmp_path / "journal"
    assert erase_all(again, store, None, journal_fails=monkeypatch) == reference
