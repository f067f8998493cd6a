"""What every export needs: the tables, typed, with their schema and descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..loaders import load, resolution
from ..package import Package, open_package
from ..resolve import PROVENANCE_SCHEMA
from ..tableschema import TableSchema

CLAIMS_SUFFIX = "_claims"


@dataclass
class ExportTable:
    name: str
    description: str
    schema: TableSchema
    frame: pd.DataFrame  # typed rows: resolved facts, every claim, or provenance

    @property
    def units(self) -> dict[str, str]:
        """Each field's unit as its schema writes it (a field name such as `currency`, or `percent`)."""
        return {f.name: f.unit_label for f in self.schema.fields if f.unit_label}

    def unique_keys(self) -> set[tuple[str, ...]]:
        keys = {tuple(self.schema.primary_key)}
        keys |= {(f.name,) for f in self.schema.fields if f.constraints.get("unique")}
        return keys


def export_tables(root: Path | str | None = None) -> tuple[Package, list[ExportTable]]:
    """Every table as a user loads it: a fact table resolved under its own name (one row per fact),
    its claims beside it as `<name>_claims`, and one `provenance` table giving the source and quote of
    every resolved value."""
    pkg = open_package(root)
    out = []
    provenance = []
    for res in pkg.resources.values():
        description, schema = res.description, pkg.schema(res.name)
        if not schema.is_claims:
            frame = load(res.name, claims="all", root=pkg.root)
            out.append(ExportTable(res.name, description, schema, frame))
            continue
        resolved = resolution(res.name, root=pkg.root)
        provenance.append(resolved.provenance)
        out.append(
            ExportTable(
                res.name,
                f"{description} One row per fact, each field from the best claim that states it (see provenance).",
                schema.resolved(),
                resolved.facts,
            )
        )
        out.append(
            ExportTable(
                res.name + CLAIMS_SUFFIX,
                f"{description} Every claim: one row per source that states the fact.",
                schema,
                load(res.name, claims="all", root=pkg.root),
            )
        )
    out.append(
        ExportTable(
            "provenance",
            "The source and quote of every value of the resolved fact tables.",
            PROVENANCE_SCHEMA,
            pd.concat(provenance, ignore_index=True),
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
