"""Plan the erasure of many persons at once: each found and planned on its own, in parallel.

Each person keeps their own plan (their own holds, their own relationship dates); only the
execution is shared, as one run whose batches mix persons (``erasure_run.record``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.schema import Programme
from dataskydd.rights.erasure import ErasurePlan, Ground
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.service import Estate, find_person

Person = Sequence[tuple[IdentityKind, str]]


def plan_many(
    programme: Programme,
    estate: Estate,
    persons: Sequence[Person],
    grounds: Sequence[Ground],
    *,
    today: date | None = None,
    workers: int = 4,
    progress: Callable[[int], None] | None = None,
) -> list[ErasurePlan]:
    """One plan per person, in the order given."""
    planner = ErasurePlanner(programme, estate)

    def one(person: Person) -> ErasurePlan:
        plan = planner.plan(find_person(estate, person), grounds, today=today)
        if progress is not None:
            progress(1)
        return plan

    with ThreadPoolExecutor(max(1, workers)) as pool:
        return list(pool.map(one, persons))
