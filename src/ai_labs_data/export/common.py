"""What every export needs: the tables, typed, with their schema and descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..loaders import load
from ..package import Package, open_package, read_json
from ..tableschema import TableSchema


@dataclass
class ExportTable:
    name: str
    description: str
    schema: TableSchema
    units: dict[str, str]
    frame: pd.DataFrame  # every claim, typed

    def unique_keys(self) -> set[tuple[str, ...]]:
        keys = {tuple(self.schema.primary_key)}
        keys |= {(f.name,) for f in self.schema.fields if f.constraints.get("unique")}
        return keys


def export_tables(root: Path | str | None = None) -> tuple[Package, list[ExportTable]]:
    pkg = open_package(root)
    out = []
    for res in pkg.resources.values():
        raw_schema = read_json(pkg.root / res.schema_path)
        description = next(r.get("description", "") for r in pkg.descriptor["resources"] if r["name"] == res.name)
        out.append(
            ExportTable(
                name=res.name,
                description=description,
                schema=TableSchema.from_dict(raw_schema),
                units={f["name"]: f["unit"] for f in raw_schema["fields"] if "unit" in f},
                frame=load(res.name, claims="all", root=pkg.root),
            )
        )
    return pkg, out


def enforceable_foreign_keys(tables: list[ExportTable]) -> dict[str, list]:
    """Foreign keys a database can declare: those whose target columns are a primary or unique key.
    (round_investors.round_id names a round, whose claims share the id, so it cannot be declared.)"""
    by_name = {t.name: t for t in tables}
    return {
        t.name: [
            fk
            for fk in t.schema.foreign_keys
            if fk.resource in by_name and tuple(fk.reference_fields) in by_name[fk.resource].unique_keys()
        ]
        for t in tables
    }
