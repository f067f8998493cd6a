"""Typed loaders: CSV -> pandas, dtypes from the Table Schema. No pandera or frictionless here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from .csvio import read_raw, write_csv
from .package import DataError, package
from .tableschema import TableSchema, format_cell, parse_column, to_categories

Claims = Literal["preferred", "all"]


def tables(root: Path | str | None = None, derived: bool = True) -> list[str]:
    """Names of the package's tables, in datapackage.json order."""
    return [r.name for r in package(root).resources.values() if derived or not r.derived]


def _resource(table: str, root: Path | str | None):
    resources = package(root).resources
    if table not in resources:
        raise KeyError(f"unknown table {table!r}; tables are: {', '.join(resources)}")
    return resources[table]


def path(table: str, root: Path | str | None = None) -> Path:
    """Path of the table's CSV file."""
    return package(root).root / _resource(table, root).path


def schema(table: str, root: Path | str | None = None) -> TableSchema:
    return TableSchema.read(package(root).root / _resource(table, root).schema_path)


def load(table: str, claims: Claims = "preferred", root: Path | str | None = None) -> pd.DataFrame:
    """The table as a typed DataFrame.

    Dates are datetime64, integers nullable Int64, numbers Float64, booleans nullable boolean, enum
    fields categorical, other text pandas strings. With claims="preferred" (default) a fact table
    holds only its preferred claims; claims="all" returns every claim.
    """
    if claims not in ("preferred", "all"):
        raise ValueError('claims must be "preferred" or "all"')
    ts = schema(table, root)
    res = _resource(table, root)
    raw = read_raw(package(root).root / res.path, res.path, ts)
    if raw.problems or raw.frame is None:
        raise DataError(
            f"{res.path}: {raw.problems[0].text() if raw.problems else 'unreadable'} (run `ai-labs-data validate`)"
        )
    columns = {}
    for f in ts.fields:
        values, bad = parse_column(raw.frame[f.name], f, ts.missing_values)
        if bad.any():
            line = int(raw.lines[bad.to_numpy().argmax()])
            raise DataError(f"{res.path}:{line}: {f.name} is not a valid {f.type} (run `ai-labs-data validate`)")
        if f.type == "date":
            values = values.astype("datetime64[ns]")
        elif f.enum is not None:
            values = to_categories(values, f)
        columns[f.name] = values
    df = pd.DataFrame(columns)
    if claims == "preferred" and "preferred" in columns:
        df = df[df["preferred"].fillna(False)].reset_index(drop=True)
    return df


def load_all(claims: Claims = "preferred", root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table, by name."""
    return {name: load(name, claims, root) for name in tables(root)}


def to_csv(df: pd.DataFrame, table: str, root: Path | str | None = None) -> str:
    """A loaded table written back as canonical CSV text (the inverse of `load(..., claims="all")`)."""
    ts = schema(table, root)
    cells = [[format_cell(v, f) for v in df[f.name].tolist()] for f in ts.fields]
    return write_csv([list(r) for r in zip(*cells, strict=True)], ts.names)
