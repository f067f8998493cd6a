"""Typed loaders: CSV -> pandas, dtypes from the Table Schema. No pandera or frictionless here."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from .csvio import read_raw, write_csv
from .package import DataError, package
from .resolve import PROVENANCE_COLUMNS, Resolution, resolve
from .tableschema import TableSchema, format_column, parse_column, to_categories

Claims = Literal["resolved", "all"]


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
    return package(root).file(_resource(table, root).path)


def schema(table: str, root: Path | str | None = None) -> TableSchema:
    """The table's typed Table Schema (KeyError naming the tables for an unknown one)."""
    _resource(table, root)
    return package(root).schema(table)


def _claims(table: str, root: Path | str | None) -> pd.DataFrame:
    """Every row of the table, typed by its schema."""
    ts = schema(table, root)
    res = _resource(table, root)
    raw = read_raw(package(root).file(res.path), res.path, ts)
    if raw.problems or raw.frame is None:
        raise DataError(
            f"{res.path}: {raw.problems[0].text() if raw.problems else 'unreadable'} (run `ai-labs-data validate`)"
        )
    return typed_frame(raw.frame, ts, res.path, raw.lines)


def typed_frame(raw: pd.DataFrame, ts: TableSchema, file: str, lines=None) -> pd.DataFrame:
    """A table's CSV text (one string column per field) typed by its schema; DataError at the first cell
    that is not of its type (`lines` gives each record's CSV line, else record n is on line n + 2)."""
    columns = {}
    for f in ts.fields:
        values, bad = parse_column(raw[f.name], f, ts.missing_values)
        if bad.any():
            at = int(bad.to_numpy().argmax())
            line = int(lines[at]) if lines is not None else at + 2
            raise DataError(f"{file}:{line}: {f.name} is not a valid {f.type} (run `ai-labs-data validate`)")
        if f.type == "date":
            values = values.astype("datetime64[ns]")
        elif f.enum is not None:
            values = to_categories(values, f)
        columns[f.name] = values
    return pd.DataFrame(columns)


def claim_tables(root: Path | str | None = None) -> list[str]:
    """The curated tables whose rows are claims (they resolve into facts), in datapackage.json order."""
    return [name for name in tables(root, derived=False) if schema(name, root).is_claims]


def resolution(table: str, root: Path | str | None = None) -> Resolution:
    """The resolved facts of a claim table and the provenance of every value (see `resolve`)."""
    ts = schema(table, root)
    if not ts.is_claims:
        raise ValueError(f"{table} is not a claim table: its rows are facts already")
    return resolve(_claims(table, root), ts, _claims("sources", root), table)


def load(table: str, claims: Claims = "resolved", root: Path | str | None = None) -> pd.DataFrame:
    """The table as a typed DataFrame.

    Dates are datetime64, integers nullable Int64, numbers Float64, booleans nullable boolean, enum
    fields categorical, other text pandas strings.

    A fact table (one whose rows are claims: which source states which values) is returned resolved by
    default: one row per fact key, each field taken from the best claim in good standing that states it
    (source tier, then the source's recency, then the contributor's `preferred` tie-break). The claim
    columns (source_id, evidence, preferred, deprecation_reason) are left out: `provenance(table)` says
    which source and quote gives each value. claims="all" returns every claim as recorded.
    """
    if claims not in ("resolved", "all"):
        raise ValueError('claims must be "resolved" (one row per fact) or "all" (every claim)')
    if claims == "resolved" and schema(table, root).is_claims:
        return resolution(table, root).facts
    return _claims(table, root)


def provenance(table: str | None = None, root: Path | str | None = None) -> pd.DataFrame:
    """For every value `load(table)` shows: its fact key, field, value (as CSV text), the source that
    states it, the source's tier (1 filing … 5 aggregator) and the quote. Every claim table when
    `table` is None."""
    names = [table] if table is not None else claim_tables(root)
    frames = [resolution(n, root).provenance for n in names]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROVENANCE_COLUMNS)


def load_all(claims: Claims = "resolved", root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table, by name."""
    return {name: load(name, claims, root) for name in tables(root)}


def to_csv(df: pd.DataFrame, table: str, root: Path | str | None = None) -> str:
    """A loaded table written back as canonical CSV text (the inverse of `load(..., claims="all")`)."""
    ts = schema(table, root)
    cells = [format_column(df[f.name], f) for f in ts.fields]
    return write_csv([list(r) for r in zip(*cells, strict=True)], ts.names)
