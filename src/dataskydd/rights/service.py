"""The rights as a Python API: open the estate, find the person, build the answer.

    from dataskydd.rights.service import open_estate, access
    with open_estate(datamap) as estate:
        answer = access(programme, estate, [(IdentityKind.PERSONNUMMER, "19780412-1234")])

Opening the estate never fails as a whole: a system that cannot be opened is recorded
with its reason, and every answer built on that estate says it is incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from dataskydd.connectors.base import Connector, ConnectorError
from dataskydd.connectors.factory import open_connector, url_for
from dataskydd.connectors.manual import ManualConnector
from dataskydd.datamap.schema import DataMap, SystemKind
from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.schema import Programme
from dataskydd.rights.access import AccessAnswer, build_answer
from dataskydd.rights.portability import PortableTable, portable_data
from dataskydd.rights.resolution import Resolution, Resolver, parse_identities
from dataskydd.store.tasks import Task


@dataclass
class Estate:
    """The open connectors of a data map's systems, and why the others are not open."""

    datamap: DataMap
    connectors: dict[str, Connector] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    # One thread per system asks the systems of a hop at once; shared by every request.
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(8))

    def resolver(self) -> Resolver:
        return Resolver(
            self.datamap, self.connectors, unavailable=self.unavailable, executor=self.executor
        )

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        for connector in self.connectors.values():
            connector.close()
        self.connectors.clear()


@contextmanager
def open_estate(datamap: DataMap, base_dir: Path | None = None) -> Iterator[Estate]:
    """Open a connector per queryable system; closed again when the block ends."""
    estate = Estate(datamap)
    for key, system_map in datamap.systems.items():
        system = system_map.system
        if system.kind == SystemKind.MANUAL:
            continue
        try:
            estate.connectors[key] = open_connector(system, url_for(system, base_dir or Path.cwd()))
        except ConnectorError as error:
            estate.unavailable[key] = error.message
        except (OSError, ValueError) as error:
            estate.unavailable[key] = str(error)
    try:
        yield estate
    finally:
        estate.close()


def find_person(estate: Estate, identities: Iterable[tuple[IdentityKind, str]]) -> Resolution:
    """Resolve a person from the identities given (validated first: IdentityError if wrong)."""
    return estate.resolver().resolve(parse_identities(identities))


def access(
    programme: Programme, estate: Estate, identities: Iterable[tuple[IdentityKind, str]]
) -> AccessAnswer:
    """The access answer (Art. 15) for the person these identities name."""
    return build_answer(find_person(estate, identities), estate.datamap, programme)


def portability(
    programme: Programme, estate: Estate, identities: Iterable[tuple[IdentityKind, str]]
) -> list[PortableTable]:
    """The person's portable data (Art. 20)."""
    return portable_data(find_person(estate, identities), estate.datamap, programme)


def manual_tasks(
    datamap: DataMap, store: Engine, request_ref: str, identities_ref: str
) -> list[Task]:
    """A task with its checklist and due date for every system that must be checked by hand.

    Idempotent per system and request: asking again finds the tasks already there.
    """
    return [
        ManualConnector(system_map.system, store).create_task(request_ref, identities_ref)
        for system_map in datamap.systems.values()
        if system_map.system.kind == SystemKind.MANUAL
    ]
