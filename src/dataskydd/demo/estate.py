"""Building the demo estate: five systems, their rows, their indexes and their data map.

An estate is fixed by its size and seed (and the day it is built: its history ends
today). Building again with the same size, seed and places is a no-op; anything else
over an existing estate needs ``rebuild=True``, because it drops the systems' tables.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.progress import Progress, TaskID
from sqlalchemy.exc import SQLAlchemyError

from dataskydd import clock
from dataskydd.demo import urls as estate_urls
from dataskydd.demo.context import Batch, Context
from dataskydd.demo.datamap_writer import write_datamap
from dataskydd.demo.loading import Loader
from dataskydd.demo.planted import Planted, plant
from dataskydd.demo.systems import SYSTEM_KEYS, SYSTEMS, DemoSystem
from dataskydd.demo.world import World

DEFAULT_PERSONS = 2_000
DEFAULT_SEED = 1
MANIFEST = "manifest.json"


class EstateError(Exception):
    """The estate cannot be built; the message says why, never with a password."""


class EstateExists(EstateError):
    """There is already an estate where this one would go, and it is not the same."""


class SystemUnavailable(EstateError):
    """A system's database could not be reached or refused the build."""


@dataclass(frozen=True)
class Estate:
    persons: int
    seed: int
    urls: Mapping[str, str]
    datamap_dir: Path
    planted: tuple[Planted, ...]
    built: bool  # False when an identical estate was already there
    rows: Mapping[str, int] = field(default_factory=dict)  # "system.table" -> rows loaded
    seconds: Mapping[str, float] = field(default_factory=dict)  # system -> load + index time
    generation_seconds: float = 0.0

    @property
    def anna(self) -> Planted:
        return self.planted[0]

    def rows_per_second(self, system: str) -> float:
        loaded = sum(n for key, n in self.rows.items() if key.startswith(f"{system}."))
        return loaded / self.seconds[system] if self.seconds.get(system) else 0.0


def system_urls(data_dir: Path, given: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """Every system's URL: the one given, else a SQLite file under ``<data_dir>/estate``."""
    given = given or {}
    unknown = set(given) - set(SYSTEM_KEYS)
    if unknown:
        raise ValueError(f"no such demo system: {', '.join(sorted(unknown))}")
    return {
        key: estate_urls.normalise(url)
        if (url := given.get(key))
        else estate_urls.default_url(data_dir, key)
        for key in SYSTEM_KEYS
    }


def build(
    data_dir: Path,
    *,
    persons: int = DEFAULT_PERSONS,
    seed: int = DEFAULT_SEED,
    urls: Mapping[str, str | None] | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> Estate:
    """Build (or find) the estate and write its data map; returns what is where."""
    world = World(persons, seed, clock.today())  # checks the size before anything is touched
    data_dir = data_dir.resolve()
    places = system_urls(data_dir, urls)
    manifest_path = data_dir / "estate" / MANIFEST
    wanted = _manifest(persons, seed, places)
    manifest_path.parent.mkdir(parents=True, exist_ok=True)  # also where SQLite files go
    with ExitStack() as stack:
        loaders = {s.key: stack.enter_context(_open(s, places[s.key])) for s in SYSTEMS}
        present = {key: loader.existing_tables() for key, loader in loaders.items()}
        complete = all(len(present[s.key]) == len(s.tables) for s in SYSTEMS)
        if any(present.values()) and not rebuild:
            if complete and _read(manifest_path) == wanted:
                return Estate(
                    persons,
                    seed,
                    places,
                    write_datamap(data_dir, places),
                    _planted(seed, persons),
                    built=False,
                )
            where = ", ".join(key for key, tables in present.items() if tables)
            raise EstateExists(
                f"another demo estate ({_describe(_read(manifest_path))}) is already in the "
                f"systems {where}; add --rebuild to drop its tables and build "
                f"{persons:,} persons with seed {seed}"
            )
        manifest_path.unlink(missing_ok=True)  # a half-built estate is never "the same"
        for loader in loaders.values():
            loader.drop()
            loader.create()
        rows, seconds, generation = _load(world, loaders, progress)
    manifest_path.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")
    return Estate(
        persons,
        seed,
        places,
        write_datamap(data_dir, places),
        world.planted,
        built=True,
        rows=rows,
        seconds=seconds,
        generation_seconds=generation,
    )


def _open(system: DemoSystem, url: str) -> Loader:
    try:
        return Loader(system, url)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise SystemUnavailable(
            f"the {system.key} system at {estate_urls.hidden(url)} cannot be reached: {reason}"
        ) from None


def _load(
    world: World, loaders: Mapping[str, Loader], progress: Progress | None
) -> tuple[dict[str, int], dict[str, float], float]:
    rows: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    generation = 0.0
    bars = _Bars(progress)
    batches = iter(world.batches())
    while True:
        started = time.perf_counter()
        batch = next(batches, None)
        generation += time.perf_counter() - started
        if batch is None:
            break
        bars.estimate(batch, world)
        for system in SYSTEMS:
            loader = loaders[system.key]
            started = time.perf_counter()
            for table in system.tables:
                chunk = batch.rows.get((system.key, table.name), [])
                loader.load(table, chunk)
                rows[f"{system.key}.{table.name}"] += len(chunk)
                bars.advance(f"{system.key}.{table.name}", len(chunk))
            seconds[system.key] += time.perf_counter() - started
    bars.done(rows)
    for system in SYSTEMS:
        with bars.step(f"{system.key}: indexes and foreign keys"):
            started = time.perf_counter()
            loaders[system.key].finish()
            seconds[system.key] += time.perf_counter() - started
    return dict(rows), dict(seconds), generation


class _Bars:
    """A progress bar per table; totals are estimated from the first chunk, then made exact."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def estimate(self, batch: Batch, world: World) -> None:
        if self.progress is None or self.tasks:
            return
        scale = world.generated / min(world.chunk, world.generated)
        for system in SYSTEMS:
            for table in system.tables:
                key = f"{system.key}.{table.name}"
                expected = len(batch.rows.get((system.key, table.name), [])) * scale
                self.tasks[key] = self.progress.add_task(key, total=max(1, round(expected)))

    def advance(self, key: str, count: int) -> None:
        if self.progress is not None:
            self.progress.advance(self.tasks[key], count)

    def done(self, rows: Mapping[str, int]) -> None:
        if self.progress is not None:
            for key, task in self.tasks.items():
                self.progress.update(task, total=rows.get(key, 0), completed=rows.get(key, 0))

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        task = self.progress.add_task(description, total=1) if self.progress else None
        yield
        if self.progress is not None and task is not None:
            self.progress.update(task, completed=1)


def _manifest(persons: int, seed: int, places: Mapping[str, str]) -> dict[str, object]:
    # Hidden passwords: the manifest says where the estate is, never how to get in.
    return {
        "persons": persons,
        "seed": seed,
        "systems": {key: estate_urls.hidden(url) for key, url in places.items()},
    }


def _read(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _describe(manifest: object) -> str:
    if isinstance(manifest, dict) and {"persons", "seed"} <= manifest.keys():
        return f"{manifest['persons']:,} persons, seed {manifest['seed']}"
    return "not built by this command, or not finished"


def _planted(seed: int, persons: int) -> tuple[Planted, ...]:
    """The planted people of an estate that is already built: they are always the same."""
    return plant(Context(seed, clock.today(), persons), Batch())
