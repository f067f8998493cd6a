"""Layer 1, structure: read every resource, type its cells, check the Table Schema with pandera and
the foreign keys. Produces the typed tables that layer 2 (rules) works on."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pe
import pyarrow as pa
import pyarrow.compute as pc

from ..csvio import read_raw
from ..package import DESCRIPTOR, Package, PackageError
from ..problems import Problem
from ..tableschema import TableSchema, parse_column
from .pandera_schema import to_pandera

KNOWN_TYPES = {"string", "integer", "number", "boolean", "date"}
EXPECTED = {
    "integer": "an integer (digits only, no separators or decimals)",
    "number": "a number (digits, optional decimal point, no separators)",
    "boolean": "true or false",
    "date": "a date as YYYY-MM-DD",
}


@dataclass
class Table:
    """One resource: its CSV text, typed values, and the CSV line of every record."""

    name: str
    file: str
    schema: TableSchema
    raw: pd.DataFrame
    data: pd.DataFrame
    lines: np.ndarray
    bad: pd.DataFrame  # True where the cell failed to parse as its type
    cache: dict = field(default_factory=dict)  # values that several rules derive from the table

    def column(self, field: str) -> int:
        return self.schema.names.index(field) + 1

    def problem(self, pos: int, field: str, rule: str, message: str) -> Problem:
        """A problem at record `pos` (0-based position) in `field`."""
        raw = self.raw[field].iat[pos]
        value = None if pd.isna(raw) else str(raw)
        return Problem(self.file, int(self.lines[pos]), self.column(field), field, value, rule, message)

    def problems_at(self, mask: pd.Series | np.ndarray, field: str, rule: str, message: str) -> list[Problem]:
        return [self.problem(int(pos), field, rule, message) for pos in np.flatnonzero(np.asarray(mask, dtype=bool))]


def resolve_path(pkg: Package, rel: str, what: str) -> tuple[Path | None, Problem | None]:
    """A resource or schema path, refused when it is a URL or leaves the package folder."""
    refusal = None
    if "://" in rel or rel.startswith(("/", "\\")) or Path(rel).is_absolute():
        refusal = "must be a relative path inside the package, not a URL or absolute path"
    else:
        try:
            inside = (pkg.root / rel).resolve().is_relative_to(pkg.root.resolve())
        except OSError:
            inside = False
        if not inside:
            refusal = "resolves outside the package folder (.. or a symlink); refused"
    if refusal:
        return None, Problem(DESCRIPTOR, None, None, what, rel, "resource-path", refusal)
    return pkg.root / rel, None


def type_table(
    name: str, file: str, schema: TableSchema, raw: pd.DataFrame, lines: np.ndarray
) -> tuple[Table, list[Problem]]:
    raw = raw.mask(raw.isin(list(schema.missing_values)))
    typed, bad = {}, {}
    for f in schema.fields:
        values, mask = parse_column(raw[f.name], f, schema.missing_values)
        if f.type == "date":
            values = values.astype("datetime64[ns]")
        typed[f.name], bad[f.name] = values, mask
    table = Table(
        name, file, schema, raw, pd.DataFrame(typed, index=raw.index), lines, pd.DataFrame(bad, index=raw.index)
    )
    problems = []
    for f in schema.fields:
        if f.type in EXPECTED:
            problems += table.problems_at(table.bad[f.name], f.name, "type", f"expected {EXPECTED[f.type]}")
    return table, problems


def schema_problems(table: Table) -> list[Problem]:
    """Run the generated pandera schema; one problem per failing cell (or row, for duplicate keys)."""
    try:
        to_pandera(table.schema, table.name).validate(table.data, lazy=True)
        return []
    except pe.SchemaErrors as exc:
        cases = exc.failure_cases
    except pe.SchemaError as exc:  # pragma: no cover - lazy=True collects; kept for safety
        return [Problem(table.file, None, None, None, None, "schema", str(exc))]
    problems: list[Problem] = []
    pk_rows: set[int] = set()
    for case in cases.itertuples(index=False):
        field, check, index = case.column, str(case.check), case.index
        if index is None or pd.isna(index) or field not in table.schema.names:
            problems.append(Problem(table.file, None, None, str(field), None, "schema", check))
            continue
        pos = table.raw.index.get_loc(index)
        if table.bad[field].iat[pos]:
            continue  # already reported as a type error
        if check == "multiple_fields_uniqueness":
            if pos not in pk_rows:
                pk_rows.add(pos)
                key = ", ".join(table.schema.primary_key)
                problems.append(
                    table.problem(
                        pos,
                        table.schema.primary_key[0],
                        "primary-key",
                        f"duplicate primary key ({key}): another row has the same values",
                    )
                )
        elif check == "field_uniqueness":
            rule = "primary-key" if table.schema.primary_key == (field,) else "unique"
            problems.append(table.problem(pos, field, rule, "duplicate value: another row has the same value"))
        elif check == "not_nullable":
            problems.append(table.problem(pos, field, "required", "required value is missing"))
        elif ": " in check:
            rule, message = check.split(": ", 1)
            problems.append(table.problem(pos, field, rule, message))
        else:
            problems.append(table.problem(pos, field, "schema", check))
    return problems


def member(values: pd.Series, allowed: pd.Series) -> np.ndarray:
    """values.isin(allowed) as a numpy bool array, by pyarrow's hash set (pandas' isin on arrow strings
    walks the allowed values in Python); missing values are not members."""
    value_set = pa.array(allowed.dropna().astype(str).unique(), type=pa.string())
    hits = pc.is_in(pa.array(values.astype("string"), type=pa.string()), value_set=value_set)
    return pc.fill_null(hits, False).to_numpy(zero_copy_only=False)


def foreign_key_problems(tables: dict[str, Table]) -> list[Problem]:
    problems: list[Problem] = []
    for table in tables.values():
        for fk in table.schema.foreign_keys:
            parent = tables.get(fk.resource)
            if parent is None:
                continue  # the parent could not be read; its own problems say why
            child = table.raw[list(fk.fields)]
            present = child.notna().all(axis=1).to_numpy()
            if len(fk.fields) == 1:
                found = member(child.iloc[:, 0], parent.raw[fk.reference_fields[0]])
            else:
                keys = pd.MultiIndex.from_frame(parent.raw[list(fk.reference_fields)].astype(object))
                found = pd.MultiIndex.from_frame(child.astype(object)).isin(keys)
            target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
            problems += table.problems_at(present & ~found, fk.fields[0], "foreign-key", f"not found in {target}")
    return problems


def check_table(name: str, file: str, data_path: Path, schema: TableSchema) -> tuple[Table | None, list[Problem]]:
    """Layer 1 for one table: read, type, and check it against its generated pandera schema."""
    raw = read_raw(data_path, file, schema)
    if not raw.usable:
        return None, raw.problems
    table, typing = type_table(name, file, schema, raw.frame, raw.lines)
    # An oversized cell was blanked by the reader: report it once, as cell-size.
    oversized = {(p.line, p.column) for p in raw.problems if p.rule == "cell-size"}
    return table, raw.problems + [p for p in typing + schema_problems(table) if (p.line, p.column) not in oversized]


def read_tables(pkg: Package) -> tuple[dict[str, Table], list[Problem]]:
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    jobs: list[tuple[str, str, Path, TableSchema]] = []
    for res in pkg.resources.values():
        schema_path, bad = resolve_path(pkg, res.schema_path, "schema")
        data_path, bad_data = resolve_path(pkg, res.path, "path")
        problems += [p for p in (bad, bad_data) if p]
        if schema_path is None or data_path is None:
            continue
        try:
            schema = TableSchema.read(schema_path)
        except (PackageError, KeyError, TypeError, AttributeError) as exc:
            problems.append(Problem(res.schema_path, None, None, None, None, "schema", f"schema cannot be read: {exc}"))
            continue
        unknown = [f for f in schema.fields if f.type not in KNOWN_TYPES]
        for f in unknown:
            message = f"field type {f.type!r} is not one of {', '.join(sorted(KNOWN_TYPES))}"
            problems.append(Problem(res.schema_path, None, None, f.name, f.type, "schema", message))
        if not unknown:
            jobs.append((res.name, res.path, data_path, schema))
    for table, found in _check_all(jobs):
        problems += found
        if table is not None:
            tables[table.name] = table
    problems += foreign_key_problems(tables)
    return tables, problems


def _check_all(jobs: list[tuple[str, str, Path, TableSchema]]) -> list[tuple[Table | None, list[Problem]]]:
    """Check the tables in threads: most of the work runs in pyarrow and numpy, which release the GIL,
    so two cores check two tables at once. Results keep the job order."""
    workers = min(os.cpu_count() or 1, len(jobs), 4)
    if workers < 2:
        return [check_table(*job) for job in jobs]

    def size(i: int) -> int:
        path = jobs[i][2]
        return path.stat().st_size if path.is_file() else 0

    order = sorted(range(len(jobs)), key=size, reverse=True)  # largest first, so the threads finish together
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(lambda i: check_table(*jobs[i]), order), strict=True))
    return [done[i] for i in range(len(jobs))]
