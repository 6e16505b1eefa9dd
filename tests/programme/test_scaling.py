"""The register, its formats, the DPV export and the diff grow linearly with the programme."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from dataskydd.programme import Programme, load_programme
from dataskydd.programme.diff import diff_programmes
from dataskydd.programme.dpv import export_dpv
from dataskydd.programme.register import build_register
from dataskydd.programme.register_formats import render_csv, render_html, render_json


def _generate(synthetic: ModuleType, n: int) -> Programme:
    # Validated by the schema only: reading YAML is the loader's cost, not the register's.
    return Programme.model_validate(synthetic.generate(n))


def _best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def test_ten_times_the_activities_take_less_than_thirty_times_as_long(
    synthetic: ModuleType,
) -> None:
    small, large = _generate(synthetic, 200), _generate(synthetic, 2000)

    def everything(programme: Programme) -> Callable[[], object]:
        def work() -> object:
            register = build_register(programme, "sv")
            return (
                render_html(register),
                render_csv(register),
                render_json(register),
                export_dpv(programme),
                diff_programmes(programme, programme),
            )

        return work

    everything(small)()  # warm up imports and caches before timing
    ratio = _best_of(3, everything(large)) / _best_of(3, everything(small))
    # Linear is about 10; quadratic would be about 100. 3x headroom for a noisy machine.
    assert ratio < 10 * 3, f"2,000 activities took {ratio:.1f}x as long as 200"


def test_checking_ten_times_the_activities_takes_less_than_thirty_times_as_long(
    synthetic: ModuleType, tmp_path: Path
) -> None:
    small = synthetic.write_programme(tmp_path / "small", 200)
    large = synthetic.write_programme(tmp_path / "large", 2000)
    load_programme(small)  # warm up imports before timing
    ratio = _best_of(3, lambda: load_programme(large)) / _best_of(3, lambda: load_programme(small))
    # YAML, schema and rules together: linear is about 10, quadratic about 100.
    assert ratio < 10 * 3, f"checking 2,000 activities took {ratio:.1f}x as long as 200"
