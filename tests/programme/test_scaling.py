"""The register, its formats, the DPV export and the diff grow linearly with the programme."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path

from dataskydd.programme import Programme
from dataskydd.programme.diff import diff_programmes
from dataskydd.programme.dpv import export_dpv
from dataskydd.programme.register import build_register
from dataskydd.programme.register_formats import render_csv, render_html, render_json

ROOT = Path(__file__).resolve().parents[2]


def _generate(n: int) -> Programme:
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "benchmarks" / "synthetic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Validated by the schema only: reading YAML is the loader's cost, not the register's.
    return Programme.model_validate(module.generate(n))


def _best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def test_ten_times_the_activities_take_less_than_thirty_times_as_long() -> None:
    small, large = _generate(200), _generate(2000)

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
