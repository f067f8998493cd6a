"""Helpers for planting defects into a copy of the package and reading what the validator says."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ai_labs_data.problems import Problem
from ai_labs_data.validate import validate


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")


def set_cell(root: Path, table: str, row: int, field: str, value: str) -> tuple[int, int]:
    """Set data row `row` (0-based) of `table`; return its (line, column) in the CSV."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    col = header.index(field)
    rows[row][col] = value
    write_rows(path, header, rows)
    return row + 2, col + 1


def append_copy(root: Path, table: str, row: int, **changes: str) -> int:
    """Append a copy of data row `row` with `changes`; return the new row's line."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    new = list(rows[row])
    for field, value in changes.items():
        new[header.index(field)] = value
    rows.append(new)
    write_rows(path, header, rows)
    return len(rows) + 1


RULES_SEEN = "AI_LABS_DATA_TEST_RULES_SEEN"  # a folder where each test process notes the rules reported


def problems(root: Path, freshness: bool = False) -> list[Problem]:
    """What the validator reports; derived-table freshness only when asked (planted edits make them stale).
    The rules reported are noted for the suite's check that every rule of the catalogue was seen to fire
    on a planted defect (conftest.py)."""
    found = validate(root, freshness=freshness).problems
    if found and (folder := os.environ.get(RULES_SEEN)):
        with open(Path(folder) / f"{os.getpid()}.txt", "a", encoding="utf-8") as seen:
            seen.write("".join(f"{p.rule}\n" for p in found))
    return found


def located(root: Path) -> set[tuple[str, int | None, int | None, str]]:
    return {(p.file, p.line, p.column, p.rule) for p in problems(root)}


def find_row(root: Path, table: str, predicate) -> int:
    """Index of the first data row (a dict of the CSV's text) for which `predicate` is true."""
    path = root / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    for i, row in enumerate(rows):
        if predicate(dict(zip(header, row, strict=True))):
            return i
    raise LookupError(f"no row of {table} matches")
