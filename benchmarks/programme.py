"""Benchmarks: the cold start of ``dataskydd serve``, and checking and printing programmes by size.

Prints plain figures, so it can run unattended (CI, a cron job) and be pasted into a report:

1. cold start of ``dataskydd serve`` to its first HTTP 200 on ``/healthz`` (median of 5, each
   with an empty data directory on a free loopback port);
2. ``programme check`` (load and validate) and ``ropa`` as HTML, CSV and XLSX, in-process, on
   the bundled programme and on generated ones of 100, 1,000 and 5,000 activities, with the
   time per activity and its ratio between sizes (about 1 means linear growth);
3. the same commands end to end through the CLI for 1,000 activities.

    .venv/bin/python benchmarks/programme.py [--sizes 100,1000,5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from dataskydd.programme import ProgrammeInvalid, load_programme
from dataskydd.programme.loader import template_path
from dataskydd.programme.register import build_register
from dataskydd.programme.register_formats import RegisterFormat, render_register
from synthetic import write_programme

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
FORMATS = (RegisterFormat.HTML, RegisterFormat.CSV, RegisterFormat.XLSX)
OPERATIONS = ("check", *(f"ropa {f.value}" for f in FORMATS))


def median_seconds(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        gc.collect()  # each run starts from the same heap, not with the last run's garbage
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def dataskydd_command() -> str:
    beside = Path(sys.executable).parent / "dataskydd"
    found = str(beside) if beside.exists() else shutil.which("dataskydd")
    if not found:
        sys.exit("the dataskydd command is not installed; run from the project's virtualenv")
    return found


def bundled_programme() -> Path | None:
    """The bundled template's directory, or None while it does not load."""
    try:
        path = template_path("swedish-lender")
        load_programme(path)
    except (LookupError, FileNotFoundError, ProgrammeInvalid) as exc:
        print(f"  (the bundled programme does not load yet: {str(exc).splitlines()[0]})")
        return None
    return path


# -- 1. serve ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_cold_start(programme: Path | None, timeout: float = 60.0) -> float:
    """Seconds from starting ``dataskydd serve`` to its first 200 on /healthz."""
    with tempfile.TemporaryDirectory(prefix="dataskydd-bench-") as data_dir:
        port = free_port()
        env = {**os.environ, "DATASKYDD_DATA_DIR": data_dir}
        env.pop("DATASKYDD_PROGRAMME", None)
        command = [dataskydd_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        if programme is not None:
            command += ["--programme", str(programme)]
        log = Path(data_dir) / "serve.log"
        url = f"http://127.0.0.1:{port}/healthz"
        with log.open("wb") as output:
            start = time.perf_counter()
            process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
            try:
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(
                            f"serve exited with {process.returncode}:\n{log.read_text()}"
                        )
                    if time.perf_counter() - start > timeout:
                        raise RuntimeError(f"no 200 from {url} within {timeout:.0f} s")
                    try:
                        with urllib.request.urlopen(url, timeout=1) as response:
                            if response.status == 200:
                                return time.perf_counter() - start
                    except (urllib.error.URLError, ConnectionError, TimeoutError):
                        pass
                    time.sleep(0.01)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def bench_serve(bundled: Path | None, runs: int) -> None:
    print("1. Cold start of `dataskydd serve` to the first HTTP 200 on /healthz")
    # With no --programme, serve loads the bundled template: the cold start a user sees.
    programme = None if bundled is not None else MINIMAL
    label = "bundled swedish-lender" if bundled is not None else "tests/fixtures/minimal"
    times = [serve_cold_start(programme) for _ in range(runs)]
    shown = ", ".join(f"{t * 1000:.0f}" for t in times)
    print(f"   programme: {label}; empty SQLite data directory per run")
    print(f"   runs (ms): {shown}")
    print(f"   median:    {statistics.median(times) * 1000:.0f} ms")
    print()


# -- 2. in-process ------------------------------------------------------------------------------


def measure(path: Path, runs: int) -> tuple[int, dict[str, float]]:
    """(activities, seconds per operation) for the programme at ``path``."""
    figures = {"check": median_seconds(runs, lambda: load_programme(path))}
    programme = load_programme(path)
    # The loaded programme is long-lived: freeze it out of the collector's view, so that a
    # full collection falling inside one timing (it scans the whole heap) does not pass for
    # growth of the register's own work. The CLI figures below include everything.
    gc.collect()
    gc.freeze()
    for fmt in FORMATS:

        def ropa(fmt: RegisterFormat = fmt) -> object:
            return render_register(build_register(programme, "sv"), fmt)

        ropa()  # the first XLSX imports openpyxl; that is start-up, not work per activity
        figures[f"ropa {fmt.value}"] = median_seconds(runs, ropa)
    gc.unfreeze()
    return len(programme.activities), figures


def bench_sizes(bundled: Path | None, sizes: list[int], runs: int, work: Path) -> dict[int, Path]:
    print("2. In-process (domain functions), median of the runs, milliseconds")
    print("   check = load_programme (YAML, schema, rules); ropa X = build_register + render X")
    print("   (ropa with the loaded programme frozen out of the garbage collector: gc.freeze)")
    paths: dict[int, Path] = {}
    rows: list[tuple[str, int, dict[str, float]]] = []
    if bundled is not None:
        count, figures = measure(bundled, runs)
        rows.append(("bundled", count, figures))
    for size in sizes:
        paths[size] = write_programme(work / f"synthetic-{size}", size)
        # Fewer runs for the largest: each check of 5,000 activities takes seconds.
        count, figures = measure(paths[size], runs if size < 5000 else max(3, runs // 2))
        rows.append((f"synthetic-{size}", count, figures))

    header = f"   {'programme':<16}{'activities':>11}" + "".join(f"{op:>13}" for op in OPERATIONS)
    print(header)
    for name, count, figures in rows:
        cells = "".join(f"{figures[op] * 1000:>13.1f}" for op in OPERATIONS)
        print(f"   {name:<16}{count:>11}{cells}")
    print()
    print("   per activity, microseconds")
    print(header)
    for name, count, figures in rows:
        cells = "".join(f"{figures[op] / count * 1e6:>13.1f}" for op in OPERATIONS)
        print(f"   {name:<16}{count:>11}{cells}")
    print()
    print("   ratio of the time per activity between sizes (1.0 = linear, n times = n-fold worse)")
    synthetic = [(count, figures) for name, count, figures in rows if name != "bundled"]
    for (n1, f1), (n2, f2) in itertools.pairwise(synthetic):
        cells = "".join(f"{(f2[op] / n2) / (f1[op] / n1):>13.2f}" for op in OPERATIONS)
        print(f"   {f'{n1} -> {n2}':<27}{cells}")
    print()
    return paths


# -- 3. CLI end to end ----------------------------------------------------------------------------


def bench_cli(path: Path, size: int, runs: int, work: Path) -> None:
    print(f"3. CLI end to end (a new process each run), {size} activities, median, milliseconds")
    command = dataskydd_command()
    runs_of = {
        "programme check": [command, "programme", "check", str(path)],
        **{
            f"ropa --format {f.value}": [
                command,
                "ropa",
                "--programme",
                str(path),
                "--format",
                f.value,
                "--out",
                str(work / f"register.{f.value}"),
            ]
            for f in FORMATS
        },
        "dataskydd --version": [command, "--version"],
    }
    for name, argv in runs_of.items():

        def run(argv: list[str] = argv) -> None:
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        print(f"   {name:<26}{median_seconds(runs, run) * 1000:>10.0f}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,1000,5000", help="generated programme sizes")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--cli-size", type=int, default=1000, help="size for the CLI figures")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"dataskydd benchmarks: Python {platform.python_version()}, {platform.platform()}, "
        f"{os.cpu_count()} CPUs, load average {load} (other work on the machine skews figures)"
    )
    bundled = bundled_programme()
    print()
    with tempfile.TemporaryDirectory(prefix="dataskydd-bench-") as tmp:
        work = Path(tmp)
        bench_serve(bundled, args.runs)
        paths = bench_sizes(bundled, sizes, args.runs, work)
        cli_path = paths.get(args.cli_size) or write_programme(work / "cli", args.cli_size)
        bench_cli(cli_path, args.cli_size, max(3, args.runs // 2 + 1), work)


if __name__ == "__main__":
    main()
