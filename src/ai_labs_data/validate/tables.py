"""Layer 1, structure: read every resource, type its cells, check the Table Schema's constraints and
the foreign keys. Produces the typed tables that layer 2 (rules) works on."""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import arrow_text, filled, take
from ..csvio import read_raw
from ..package import Package, PackageError, resource_paths
from ..problems import Problem
from ..tableschema import ForeignKey, TableSchema, parse_cells
from ..types import TYPES
from . import keys
from .constraints import column_checks, row_checks
from .parallel import run_jobs

T = TypeVar("T")


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
    cache: dict = field(default_factory=dict)  # values that several checks and rules derive from the table
    _locks: dict = field(default_factory=dict, repr=False)
    sha256: str | None = None  # of the file's bytes as read: freshness compares the manifest's with it
    referenced: frozenset[str] = frozenset()  # its fields that other tables' foreign keys point to

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """compute(), once per key: checks and rules run in parallel threads, and a value that two of
        them need at the same moment is computed by the first while the second waits for it."""
        if key not in self.cache:
            with self._locks.setdefault(key, threading.Lock()):  # setdefault is atomic under the GIL
                if key not in self.cache:
                    self.cache[key] = compute()
        return self.cache[key]

    def encoded(self, field: str) -> keys.Encoded:
        """Key codes and distinct values of a column (see `keys`), computed once and shared by the
        constraint checks, the foreign keys and the rules."""
        return self.cached(("encoded", field), lambda: keys.dictionary(self.raw[field]))

    def codes(self, field: str) -> np.ndarray:
        return self.encoded(field).codes

    def key_lookup(self, values: pd.Series) -> keys.Encoded | None:
        """The constraint checks' KeyLookup: the cached encoding of a whole key column (primary, foreign
        or unique key field), computed on first use; None for other columns."""
        name = str(values.name)
        if name in self.schema.key_fields and name in self.raw and len(values) == len(self.raw):
            return self.encoded(name)
        return None

    def column(self, field: str) -> int:
        return self.schema.names.index(field) + 1

    def release(self, fields: Iterable[str]) -> None:
        """Let go of these fields' text and values, which no check reads from here on. A field that
        the rules across tables find through the schemas is kept whatever its name: a key (its own or
        one another table's foreign key points to), a fact key, a field every fact needs."""
        kept = self.schema.key_fields | self.referenced  # the fact key is part of the primary key
        kept |= {f.name for f in self.schema.fields if f.fact_required}
        for name in fields:
            if name in self.raw.columns and name not in kept:
                for frame in (self.raw, self.data, self.bad):  # in place: a third of the time of drop()
                    del frame[name]

    def problems_at(self, mask: pd.Series | np.ndarray, field: str, rule: str, message: str) -> list[Problem]:
        return self.located((int(pos), field, rule, message) for pos in np.flatnonzero(np.asarray(mask, dtype=bool)))

    def located(self, cells: Iterable[tuple[int, str, str, str]]) -> list[Problem]:
        """Problems at (record position, field, rule, message). Each field's cell texts are fetched in
        one step: a thousand planted errors would otherwise mean a thousand pandas lookups."""
        by_field: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
        for cell in cells:
            by_field[cell[1]].append(cell)
        problems = []
        for name, group in by_field.items():
            texts = take(arrow_text(self.raw[name]), np.array([pos for pos, *_ in group])).to_pylist()
            column = self.column(name)
            for (pos, _, rule, message), text in zip(group, texts, strict=True):
                value = None if text is None else str(text)
                problems.append(Problem(self.file, int(self.lines[pos]), column, name, value, rule, message))
        return problems


def type_table(
    name: str, file: str, schema: TableSchema, raw: pd.DataFrame, lines: np.ndarray
) -> tuple[Table, list[Problem]]:
    parsed = {f.name: parse_cells(raw[f.name], f, schema.missing_values) for f in schema.fields}

    def frame(part: str) -> pd.DataFrame:
        return pd.DataFrame({name: getattr(p, part) for name, p in parsed.items()}, index=raw.index, copy=False)

    table = Table(name, file, schema, frame("text"), frame("values"), lines, frame("bad"))
    problems = []
    for f in schema.fields:
        if f.type != "string":
            problems += table.problems_at(table.bad[f.name], f.name, "type", f"expected {TYPES[f.type].expected}")
    return table, problems


def schema_problems(table: Table) -> list[Problem]:
    """The Table Schema's constraints (`constraints`): one problem per failing cell, one per row for a
    duplicate compound key. A cell that failed to parse as its type was reported as such already."""
    cells: list[tuple[int, str, str, str]] = []
    for f in table.schema.fields:
        values, bad = table.data[f.name], table.bad[f.name].to_numpy(dtype=bool)
        if f.required:
            missing = values.isna().to_numpy(dtype=bool) & ~bad
            cells += [(int(pos), f.name, "required", "required value is missing") for pos in np.flatnonzero(missing)]
        for check in column_checks(table.schema, f, table.key_lookup):
            where = np.flatnonzero(~check.passes(values) & ~bad)
            if not len(where):
                continue
            if check.explain is None:
                messages = [check.message] * len(where)
            else:
                texts = take(arrow_text(table.raw[f.name]), where).to_pylist()
                messages = [check.message + check.explain(t or "") for t in texts]
            cells += [(int(pos), f.name, check.rule, m) for pos, m in zip(where, messages, strict=True)]
    for row in row_checks(table.schema, table.key_lookup):
        failing = ~row.passes(table.data[list(row.fields)])
        cells += [(int(pos), row.fields[0], row.rule, row.message) for pos in np.flatnonzero(failing)]
    return table.located(cells)


def member(distinct: pa.Array, allowed: pa.Array) -> np.ndarray:
    """Which of the `distinct` values are among `allowed` (missing values are not)."""
    return matches(distinct, allowed).known


class Matches(NamedTuple):
    known: np.ndarray  # per value of the first array: it is among the second's
    used: np.ndarray  # per value of the second array: it is among the first's


def matches(values: pa.Array, allowed: pa.Array) -> Matches:
    """Which of `values` are among `allowed`, and which of `allowed` among `values` (missing values
    never match), both from one hash table. It is built from the smaller array, as building one costs
    more than probing it: both answers come from the positions the probe finds."""
    allowed = allowed.cast(values.type)
    small, large = (allowed, values) if len(allowed) <= len(values) else (values, allowed)
    at = filled(pc.index_in(large, value_set=small, skip_nulls=True), -1)  # each large value's position in small
    hit = at >= 0
    small_hit = np.zeros(len(small), dtype=bool)
    small_hit[at[hit]] = True
    return Matches(hit, small_hit) if small is allowed else Matches(small_hit, hit)


def references(table: Table, fk: ForeignKey, parent: Table) -> Matches:
    """A single-field foreign key's distinct values matched against the parent's key values: which
    are found there (the foreign-key check) and which parent values are referred to (source-used).
    Computed once, by whichever of the two asks first."""
    (field,), (parent_field,) = fk.fields, fk.reference_fields

    def compute() -> Matches:
        return matches(table.encoded(field).values, parent.encoded(parent_field).values)

    if parent.sha256 is None:  # no content to key on: the table may be kept beyond this parent
        return compute()
    return table.cached(("references", field, fk.resource, parent_field, parent.sha256), compute)


def foreign_key_jobs(tables: dict[str, Table]) -> list[Callable[[], list[Problem]]]:
    """One job per foreign key whose tables could both be read (an unreadable table's own problems
    say why)."""
    return [
        partial(_foreign_key_problems, table, fk, tables[fk.resource])
        for table in tables.values()
        for fk in table.schema.foreign_keys
        if fk.resource in tables
    ]


def _foreign_key_problems(table: Table, fk: ForeignKey, parent: Table) -> list[Problem]:
    target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
    if len(fk.fields) == 1:
        # Look up each distinct value once (key codes are cached), then spread the answer over the rows.
        codes, distinct = table.encoded(fk.fields[0])
        known = references(table, fk, parent).known
        missing = ~keys.spread(known, codes, True)  # a missing value is not a dangling reference
        unknown = np.flatnonzero(~known)
        if len(unknown) and len(unknown) <= MAX_SUGGESTED:
            hints = _near_misses(distinct.take(unknown).to_pylist(), parent.encoded(fk.reference_fields[0]).values)
            if hints:
                cells = []
                for pos in np.flatnonzero(missing):
                    value = distinct[int(codes[pos])].as_py()
                    hint = f"; did you mean {hints[value]!r}?" if value in hints else ""
                    cells.append((int(pos), fk.fields[0], "foreign-key", f"not found in {target}{hint}"))
                return table.located(cells)
    else:
        child = table.raw[list(fk.fields)]
        parent_keys = pd.MultiIndex.from_frame(parent.raw[list(fk.reference_fields)].astype(object))
        present = child.notna().all(axis=1).to_numpy()
        missing = present & ~pd.MultiIndex.from_frame(child.astype(object)).isin(parent_keys)
    return table.problems_at(missing, fk.fields[0], "foreign-key", f"not found in {target}")


# Dangling values offered a near-miss suggestion, and the largest key searched for one: a typo is rare
# and worth a hint; thousands of unknown values (a wrong column) are not looked up one by one.
MAX_SUGGESTED = 50
MAX_CANDIDATES = 100_000


def _near_misses(values: list[str], candidates: pa.Array) -> dict[str, str]:
    """For each dangling value, the existing key it most probably meant (a typo, a swapped or doubled
    letter, a look-alike character), when one is close enough."""
    if len(candidates) > MAX_CANDIDATES:
        return {}
    pool = [c for c in candidates.to_pylist() if c is not None]
    hints = {}
    for value in values:
        if value is not None and (close := difflib.get_close_matches(value, pool, n=1, cutoff=0.8)):
            hints[value] = close[0]
    return hints


# Checks run on each table as soon as it is read, beside the reading of the others (the per-table rules):
# given the table, they return its problems, and may release what they alone needed.
TableChecks = Callable[[Table], list[Problem]]


class Checked(NamedTuple):
    table: Table | None  # None when it could not be read
    structure: list[Problem]  # layer 1's problems
    checks: list[Problem]  # those of the TableChecks run on it


# Tables already checked in this process, by content: validating again after editing one table (a
# notebook, a watch loop, a test suite planting one defect at a time) reads only the tables that changed.
# A table's layer-1 result, the problems of the checks run on it as it is read, and everything they derive
# from it (Table.cache) depend on its bytes, its name, its file, its schema, those checks and which of its
# fields other tables' foreign keys point to alone. Large tables are not kept: their memory is worth more.
_CHECKED: OrderedDict[tuple, Checked] = OrderedDict()
_CHECKED_LOCK = threading.Lock()
CHECKED_MAX_BYTES = 8 * 2**20
CHECKED_MAX_TABLES = 64


def check_table(
    name: str, file: str, data_path: Path, schema: TableSchema, then: TableChecks | None, referenced: frozenset[str]
) -> Checked:
    """Layer 1 for one table (see `_check_table`), then the checks `then`; reused when the same content
    was checked before. `referenced`: its fields that other tables' foreign keys point to."""
    digest = _small_file_digest(data_path)
    if digest is None:
        return _check_table(name, file, data_path, schema, then, referenced)
    key = (name, file, repr(schema), digest, then, referenced)
    with _CHECKED_LOCK:
        if key in _CHECKED:
            _CHECKED.move_to_end(key)
            return _CHECKED[key]
    result = _check_table(name, file, data_path, schema, then, referenced)
    table = result.table
    read = table.sha256 if table is not None else _small_file_digest(data_path)
    if read == digest:  # not edited between the two reads
        with _CHECKED_LOCK:
            _CHECKED[key] = result
            while len(_CHECKED) > CHECKED_MAX_TABLES:
                _CHECKED.popitem(last=False)
    return result


def _small_file_digest(path: Path) -> str | None:
    """The sha256 (hex, as the reader's `RawTable.sha256`) of a regular file of at most
    CHECKED_MAX_BYTES; None otherwise (or unreadable: the reader then reports why)."""
    try:
        if not path.is_file() or path.stat().st_size > CHECKED_MAX_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _check_table(
    name: str, file: str, data_path: Path, schema: TableSchema, then: TableChecks | None, referenced: frozenset[str]
) -> Checked:
    """Layer 1 for one table: read, type, and check it against its Table Schema's constraints; then
    `then`."""
    raw = read_raw(data_path, file, schema)
    if not raw.usable:
        return Checked(None, raw.problems, [])
    table, typing = type_table(name, file, schema, raw.frame, raw.lines)
    table.sha256, table.referenced = raw.sha256, referenced
    # An oversized cell was blanked by the reader: report it once, as cell-size.
    oversized = {(p.line, p.column) for p in raw.problems if p.rule == "cell-size"}
    structure = raw.problems + [p for p in typing + schema_problems(table) if (p.line, p.column) not in oversized]
    return Checked(table, structure, then(table) if then is not None else [])


def _compiled_patterns(schema: TableSchema, schema_file: str) -> tuple[TableSchema, list[Problem]]:
    """The schema without the patterns that cannot be compiled, and a problem about each: a broken
    pattern is the schema's mistake, not a failure of every value checked against it."""
    problems, fields = [], []
    for f in schema.fields:
        pattern = f.constraints.get("pattern")
        if isinstance(pattern, str):
            try:
                pc.match_substring_regex(pa.array([""], pa.string()), f"^(?:{pattern})$")
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                message = f"the pattern of {f.name} cannot be compiled: {str(exc).splitlines()[0]}"
                problems.append(Problem(schema_file, None, None, f.name, pattern, "schema", message))
                f = replace(f, constraints={k: v for k, v in f.constraints.items() if k != "pattern"})
        fields.append(f)
    return (replace(schema, fields=tuple(fields)) if problems else schema), problems


def read_tables(pkg: Package, then: TableChecks | None = None) -> tuple[dict[str, Table], list[Problem], list[Problem]]:
    """Every table read and checked (layer 1), largest first, and the checks `then` run on each as soon
    as it is read: (tables, layer 1's problems, those of `then`)."""
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    checked: list[Problem] = []
    jobs: list[tuple[str, str, Path, TableSchema]] = []
    for res in pkg.resources.values():
        data_path, schema_path, refused = resource_paths(pkg, res)
        problems += refused
        if schema_path is None or data_path is None:
            continue
        try:
            schema = TableSchema.read(schema_path)
        except (PackageError, KeyError, TypeError, AttributeError) as exc:
            problems.append(Problem(res.schema_path, None, None, None, None, "schema", f"schema cannot be read: {exc}"))
            continue
        schema, bad_patterns = _compiled_patterns(schema, res.schema_path)
        problems += bad_patterns
        unknown = [f for f in schema.fields if f.type not in TYPES]
        for f in unknown:
            message = f"field type {f.type!r} is not one of {', '.join(TYPES)}"
            problems.append(Problem(res.schema_path, None, None, f.name, f.type, "schema", message))
        if not unknown:
            jobs.append((res.name, res.path, data_path, schema))
    sizes = [path.stat().st_size if path.is_file() else 0 for _, _, path, _ in jobs]
    referenced: dict[str, set[str]] = defaultdict(set)
    for _, _, _, schema in jobs:
        for fk in schema.foreign_keys:
            referenced[fk.resource] |= set(fk.reference_fields)
    checks = [partial(check_table, *job, then, frozenset(referenced[job[0]])) for job in jobs]
    for table, structure, found in run_jobs(checks, cost=sizes):
        problems += structure
        checked += found
        if table is not None:
            tables[table.name] = table
    return tables, problems, checked
