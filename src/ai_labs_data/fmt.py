"""Canonical form of the curated CSV files: rows sorted by primary key, numbers normalised, minimal
quoting, LF line endings. Lossless (only order and number spelling change) and idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .csvio import read_raw, write_csv
from .files import write_atomically
from .package import Package, resource_paths
from .problems import Problem
from .tableschema import TableSchema, canonical_text


@dataclass
class FormatResult:
    changed: list[str]  # files whose text differs from canonical
    problems: list[Problem]  # files that cannot be formatted (structure is broken)


def canonical(path: Path, file: str, schema: TableSchema) -> tuple[str | None, list[Problem]]:
    raw = read_raw(path, file, schema)
    if raw.problems or raw.frame is None:
        return None, raw.problems
    fields = schema.fields
    rows = [
        [canonical_text(cell, f) for cell, f in zip(rec, fields, strict=True)]
        for rec in raw.frame.itertuples(index=False, name=None)
    ]
    key = [schema.names.index(k) for k in schema.primary_key]
    rows.sort(key=lambda r: tuple(r[i] for i in key))
    return write_csv(rows, schema.names), []


def format_package(pkg: Package, check: bool) -> FormatResult:
    """Rewrite every non-derived table in canonical form (or, with check=True, only report)."""
    result = FormatResult([], [])
    for res in pkg.resources.values():
        if res.derived:
            continue
        path, schema_path, refused = resource_paths(pkg, res)
        if refused or path is None or schema_path is None:
            result.problems += refused
            continue
        text, problems = canonical(path, res.path, TableSchema.read(schema_path))
        result.problems += problems
        if text is None or path.read_bytes() == text.encode("utf-8"):
            continue
        result.changed.append(res.path)
        if not check:
            write_atomically(path, text.encode("utf-8"))
    return result
