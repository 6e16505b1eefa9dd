"""Plan the erasure of many persons at once: found together in groups, planned one by one.

Each person keeps their own plan (their own holds, their own relationship dates); only the
lookups are shared. The people of a group are resolved together (``Resolver.resolve_many``:
each hop asks each table once for the whole group, and gives every person the rows their
own identities find), so the cost of a query, above all a scan of free text that no index
serves, is paid once per group instead of once per person. The execution is shared too,
as one run whose batches mix persons (``erasure_run.record``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from dataskydd.identity.kinds import IdentityKind
from dataskydd.programme.schema import Programme
from dataskydd.rights.erasure import ErasurePlan, Ground
from dataskydd.rights.erasure_plan import ErasurePlanner
from dataskydd.rights.resolution import parse_identities
from dataskydd.rights.service import Estate

Person = Sequence[tuple[IdentityKind, str]]

# People resolved together. A group's free-text search sends every member's patterns in
# one query, so the group is kept small enough for those statements to stay modest.
GROUP_SIZE = 200


def plan_many(
    programme: Programme,
    estate: Estate,
    persons: Sequence[Person],
    grounds: Sequence[Ground],
    *,
    today: date | None = None,
    workers: int = 4,
    group_size: int = GROUP_SIZE,
    progress: Callable[[int], None] | None = None,
) -> list[ErasurePlan]:
    """One plan per person, in the order given: the plan each would get alone
    (``find_person``, then ``ErasurePlanner.plan``). Every person's identities are
    validated before any query (``IdentityError``); ``progress`` hears of each group planned.
    """
    planner = ErasurePlanner(programme, estate)
    resolver = estate.resolver()
    people = [parse_identities(person) for person in persons]
    size = max(1, group_size)

    def group(start: int) -> list[ErasurePlan]:
        members = people[start : start + size]
        found = resolver.resolve_many(members)
        # A query that failed (a timeout on a busy machine) failed for the whole group: its
        # people are asked once more, together. What fails again stays failed in the plan,
        # as does a system that could not be opened at all (asking again would not help).
        again = [
            i
            for i, resolution in enumerate(found)
            if any(f.system in estate.connectors for f in resolution.failures)
        ]
        if again:
            for i, resolution in zip(
                again, resolver.resolve_many([members[i] for i in again]), strict=True
            ):
                found[i] = resolution
        plans = [planner.plan(resolution, grounds, today=today) for resolution in found]
        if progress is not None:
            progress(len(plans))
        return plans

    with ThreadPoolExecutor(max(1, workers)) as pool:
        groups = pool.map(group, range(0, len(people), size))
        return [plan for plans in groups for plan in plans]
