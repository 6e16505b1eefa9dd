"""What the formats say about systems beyond the items: names, and when a manual check is due.

The answer holds system keys for the systems that failed or are checked by hand; the data
map, when given, turns them into the names people know and into a date for each manual
check (the day the answer was made plus the task's ``due_days``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dataskydd.clock import LOCAL_ZONE
from dataskydd.datamap.schema import DataMap
from dataskydd.rights.access import AccessAnswer


@dataclass(frozen=True)
class Systems:
    names: dict[str, str]
    manual_due: dict[str, date]

    def name(self, key: str) -> str:
        return self.names.get(key, key)


def systems_of(answer: AccessAnswer, datamap: DataMap | None = None) -> Systems:
    names = {item.system: item.system_name for item in answer.items}
    due: dict[str, date] = {}
    if datamap is not None:
        names.update({key: s.system.name for key, s in datamap.systems.items()})
        made_on = answer.generated_at.astimezone(LOCAL_ZONE).date()
        for key in answer.manual_systems:
            task = datamap.systems[key].system.manual if key in datamap.systems else None
            if task is not None:
                due[key] = made_on + timedelta(days=task.due_days)
    return Systems(names, due)
