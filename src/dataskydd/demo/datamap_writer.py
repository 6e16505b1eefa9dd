"""The estate's data map: one YAML file per system, read straight off the table definitions.

The connection URL goes to ``<data_dir>/secrets/<system>.url`` (mode 0600) and the YAML
names that file: a data map can be committed, shared and reviewed without a password in it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import yaml

from dataskydd.datamap import schema as dm
from dataskydd.demo.columns import annotation
from dataskydd.demo.systems import SYSTEMS, DemoSystem
from dataskydd.demo.urls import kind

HEADER = """\
# The {name} system of the dataskydd demo estate, written by `dataskydd demo`.
# Left out where they hold: subject: true, provided: false, erasure: keep.
"""


def system_map(system: DemoSystem, system_kind: dm.SystemKind) -> dm.SystemMap:
    tables = [
        dm.Table(
            name=table.name,
            description=table.comment,
            purposes=list(table.info["purposes"]),
            primary_key=[c.name for c in table.primary_key.columns],
            columns=[annotation(c) for c in table.columns],
        )
        for table in system.tables
    ]
    return dm.SystemMap(
        system=dm.System(
            key=system.key,
            name=system.name,
            kind=system_kind,
            owner=system.owner,
            description=system.description,
            connection=dm.Connection(file=f"../secrets/{system.key}.url"),
        ),
        tables=tables,
    )


def write_datamap(data_dir: Path, urls: Mapping[str, str]) -> Path:
    """Write every system's YAML and URL secret; returns the data map directory."""
    directory = data_dir / "datamap"
    directory.mkdir(parents=True, exist_ok=True)
    secrets = data_dir / "secrets"
    secrets.mkdir(mode=0o700, parents=True, exist_ok=True)
    for system in SYSTEMS:
        url = urls[system.key]
        write_secret(secrets / f"{system.key}.url", url)
        content = system_map(system, kind(url)).model_dump(
            mode="json", by_alias=True, exclude_defaults=True
        )
        text = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=100)
        (directory / f"{system.key}.yaml").write_text(
            HEADER.format(name=system.name) + text, encoding="utf-8"
        )
    return directory


def write_secret(path: Path, value: str) -> None:
    """Write ``value`` readable by its owner only, whatever the file was before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
