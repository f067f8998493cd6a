"""Date cells: a cell is a date exactly when Python's own calendar says so, in the years 1678-2261
that pandas' datetime64[ns] holds. Checked for every month and day number around the edges of
months, leap years and the supported range, on both ways the validator types a date column: one
pass of arrow's cast when every cell is good, and the byte-by-byte parser that locates bad cells."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ai_labs_data.tableschema import TableSchema, parse_cells

FIELD = TableSchema.from_dict({"fields": [{"name": "day", "type": "date"}]}).fields[0]
YEARS = ["0000", "0001", "1677", "1678", "1900", "1999", "2000", "2023", "2024", "2100", "2261", "2262", "9999"]
MALFORMED = ["2024-1-05", "2024-01-5", "24-01-05", "2024/01/05", "2024-01-05 ", " 2024-01-05", "+2024-01-05"]
MALFORMED += [
    "2024-01-05T00:00",
    "20240105",
    "2024-0a-05",
    "\uff12\uff10\uff12\uff14-01-05",
    "2024-01-0\uff15",
    "2024-01-0\u0665",
    "2024--1-05",
    "-024-01-05",
]


def expected(text: str) -> pd.Timestamp | None:
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        return None
    return pd.Timestamp(day) if day is not None and 1678 <= day.year <= 2261 else None


CELLS = [f"{y}-{m:02d}-{d:02d}" for y in YEARS for m in range(14) for d in range(33)] + MALFORMED


def typed(cells: list[str]) -> list[pd.Timestamp | None]:
    parsed = parse_cells(pd.Series(cells, dtype="string"), FIELD)
    # A present cell is bad exactly when it has no date; an empty cell is missing, not bad.
    assert parsed.bad.tolist() == [v is pd.NaT and c != "" for v, c in zip(parsed.values, cells, strict=True)]
    return [None if v is pd.NaT else v for v in parsed.values]


def test_every_cell_in_a_mixed_column() -> None:
    """Bad cells among good ones: the exact parser types the column."""
    assert typed(CELLS) == [expected(c) for c in CELLS]


@pytest.mark.parametrize("year", YEARS)
def test_every_cell_on_its_own(year: str) -> None:
    """One cell per column: a good date takes arrow's cast, a bad one the exact parser."""
    cells = [c for c in CELLS if c.startswith(year)] + MALFORMED
    assert [typed([c])[0] for c in cells] == [expected(c) for c in cells]


def test_column_of_good_dates_with_gaps() -> None:
    cells = ["2024-02-29", "", "1678-01-01", "2261-12-31", ""]
    assert typed(cells) == [
        pd.Timestamp("2024-02-29"),
        None,
        pd.Timestamp("1678-01-01"),
        pd.Timestamp("2261-12-31"),
        None,
    ]
