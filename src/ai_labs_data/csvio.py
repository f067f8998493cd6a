"""Strict reading and canonical writing of the package's CSV files.

Reading reports every structural problem (encoding, BOM, line endings, header, ragged rows) with its
line, and keeps the CSV line on which each record starts so later layers can locate cell errors.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import fastcsv
from .arrowtext import PANDAS_TYPES
from .fastcsv import BOM
from .problems import Problem
from .tableschema import TableSchema

# No cell of this dataset needs more (evidence is at most 280 characters); a larger one is an error,
# reported at its cell, and never slows the validator down.
MAX_CELL = 10_000
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class RawTable:
    """A CSV read as text: `frame` holds the well-formed records, `lines[i]` the line of record i."""

    file: str
    frame: pd.DataFrame | None = None
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    problems: list[Problem] = field(default_factory=list)
    sha256: str | None = None  # of the file's bytes, as read

    @property
    def usable(self) -> bool:
        return self.frame is not None


def _problem(
    file: str,
    line: int | None,
    rule: str,
    message: str,
    column: int | None = None,
    field_: str | None = None,
    value: str | None = None,
) -> Problem:
    return Problem(file, line, column, field_, value, rule, message)


def _decode(file: str, data: bytes, problems: list[Problem]) -> str | None:
    if data.startswith(BOM):
        problems.append(
            _problem(file, 1, "encoding", "file starts with a byte-order mark (BOM); save as UTF-8 without BOM", 1)
        )
        data = data[len(BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(
            _problem(
                file,
                line,
                "encoding",
                f"byte {data[exc.start]:#04x} is not valid UTF-8; save the file as UTF-8",
                column,
            )
        )
        return None


def read_raw(path: Path, file: str, schema: TableSchema) -> RawTable:
    """Read `path` (shown as `file`) against `schema`'s header. Never raises for bad content."""
    table = RawTable(file)
    problems = table.problems
    try:
        if not path.is_file():
            raise FileNotFoundError
        # The common case, a well-formed file, goes straight to pyarrow (which also checks the UTF-8);
        # anything else is read again as bytes by the exact reader, which locates every problem.
        fast = fastcsv.parse_file(path, schema.names)
        data = b"" if fast.table is not None else fastcsv.read_file(path)
    except OSError:
        problems.append(_problem(file, None, "file", "file not found (or not a regular file)"))
        return table
    table.sha256 = fast.sha256 if fast.table is not None else hashlib.sha256(data).hexdigest()
    if fast.table is not None:
        table.lines = np.arange(2, fast.table.num_rows + 2, dtype=np.int64)
        table.frame = _frame(_check_cell_sizes(table, fast.table))
        return table
    if not data:
        problems.append(
            _problem(file, 1, "header", "file is empty: it needs at least the header row " + ",".join(schema.names), 1)
        )
        return table
    text = _decode(file, data, problems)
    if text is None:
        return table
    if "\r" in text:
        for n, line in enumerate(text.split("\n"), start=1):
            if "\r" in line:
                message = "line ends with CR (\\r); use LF (\\n) line endings"
                problems.append(_problem(file, n, "line-ending", message, line.index("\r") + 1))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        problems.append(_problem(file, text.count("\n") + 1, "line-ending", "last line has no final newline"))

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    try:
        for row in reader:
            if not row:
                problems.append(_problem(file, start, "blank-line", "blank line; remove it"))
            elif header is None:
                header = row
            else:
                rows.append(row)
                lines.append(start)
                if reader.line_num > start:
                    col = next((i for i, cell in enumerate(row, 1) if "\n" in cell), 1)
                    problems.append(
                        _problem(
                            file, start, "line-break", "cell contains a line break; keep each record on one line", col
                        )
                    )
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(_problem(file, start, "csv-syntax", f"malformed CSV: {exc}"))
        return table
    if header is None:
        problems.append(_problem(file, 1, "header", "no header row"))
        return table
    if not _header_ok(file, header, schema, problems):
        return table

    width = len(header)
    good_rows, good_lines = [], []
    for row, line in zip(rows, lines, strict=True):
        if len(row) != width:
            problems.append(
                _problem(
                    file,
                    line,
                    "row-width",
                    f"row has {len(row)} cells, the header has {width}; check for a missing or extra comma",
                    min(len(row), width) + 1,
                )
            )
        else:
            good_rows.append(row)
            good_lines.append(line)
    columns = list(zip(*good_rows, strict=True)) if good_rows else [()] * width
    arrow = pa.table([pa.array(c, type=pa.string()) for c in columns], names=header)
    table.lines = np.asarray(good_lines, dtype=np.int64)
    table.frame = _frame(_check_cell_sizes(table, arrow))
    return table


def _frame(arrow: pa.Table) -> pd.DataFrame:
    return arrow.to_pandas(types_mapper=PANDAS_TYPES.get)


def _check_cell_sizes(table: RawTable, arrow: pa.Table) -> pa.Table:
    """Report every cell longer than MAX_CELL characters, and blank it so later layers stay fast."""
    for col_no, name in enumerate(arrow.column_names, start=1):
        column = arrow[name]
        # A cell's byte length bounds its length in characters: one pass over the offsets decides.
        if (pc.max(pc.binary_length(column)).as_py() or 0) <= MAX_CELL:
            continue
        lengths = pc.utf8_length(column).to_numpy(zero_copy_only=False)
        too_long = lengths > MAX_CELL
        for pos in np.flatnonzero(too_long):
            message = f"cell has {lengths[pos]} characters; at most {MAX_CELL} are allowed"
            table.problems.append(_problem(table.file, int(table.lines[pos]), "cell-size", message, col_no, name))
        if too_long.any():
            blanked = pc.if_else(pa.array(too_long), "", column)
            arrow = arrow.set_column(col_no - 1, name, blanked)
    return arrow


def _header_ok(file: str, header: list[str], schema: TableSchema, problems: list[Problem]) -> bool:
    expected = schema.names
    if header == expected:
        return True
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name in seen:
            problems.append(_problem(file, 1, "header", "column appears twice in the header", i, name))
        elif name not in expected:
            problems.append(_problem(file, 1, "header", "unknown column: not a field of the table's schema", i, name))
        seen.add(name)
    for name in expected:
        if name not in header:
            problems.append(_problem(file, 1, "header", "missing column required by the schema", None, name))
    if not any(p.file == file and p.line == 1 and p.rule == "header" for p in problems):
        problems.append(_problem(file, 1, "header", "columns are out of order; expected " + ",".join(expected), 1))
    return False


def write_csv(rows: list[list[str]], header: list[str]) -> str:
    """Canonical CSV text: minimal quoting, LF endings, final newline."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()
