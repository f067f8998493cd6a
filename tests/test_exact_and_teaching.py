"""Numbers keep their digits, every out-of-range value is located with the range it must be in, and a
message teaches: the look-alike character named, the id probably meant suggested, one cause told once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai_labs_data.cli import main

from helpers import problems, read_rows, set_cell


def row_with(pkg: Path, table: str, field: str) -> int:
    header, rows = read_rows(pkg / "data" / f"{table}.csv")
    return next(i for i, r in enumerate(rows) if r[header.index(field)])


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("12.3456789012345678901", "12.3456789012345678901"),  # more digits than a float keeps: as written
        ("0.1000000000000000055511151231257827", "0.1000000000000000055511151231257827"),
        ("1.50", "1.5"),  # the same number, shorter
        ("2e3", "2000"),
        ("1e309", "1e309"),  # no float holds it: left for validation to locate
    ],
)
def test_fmt_never_changes_a_value(pkg: Path, written: str, canonical: str) -> None:
    row = row_with(pkg, "market_caps", "share_price")
    set_cell(pkg, "market_caps", row, "share_price", written)
    assert main(["fmt", str(pkg)]) == 0
    header, rows = read_rows(pkg / "data" / "market_caps.csv")
    assert canonical in {r[header.index("share_price")] for r in rows}


@pytest.mark.parametrize(
    ("table", "field", "value", "says"),
    [
        ("market_caps", "share_price", "1e309", "a finite number"),
        ("market_caps", "share_price", "inf", "a finite number"),
        ("market_caps", "share_price", "nan", "a finite number"),
        ("market_caps", "market_cap", "123456789012345678901", "an integer of at most 18 digits"),
        ("market_caps", "date", "9999-12-31", "from 1678-01-01 to 2261-12-31"),
    ],
)
def test_out_of_range_values_are_located_with_the_range(
    pkg: Path, table: str, field: str, value: str, says: str
) -> None:
    line, column = set_cell(pkg, table, 0, field, value)
    found = problems(pkg)
    assert [(p.line, p.column, p.rule) for p in found] == [(line, column, "type")], [p.text() for p in found]
    assert says in found[0].message


def test_a_look_alike_letter_in_an_id_is_named_once(pkg: Path) -> None:
    row = next(i for i, r in enumerate(read_rows(pkg / "data" / "market_caps.csv")[1]) if r[0] == "zhipu")
    line, column = set_cell(pkg, "market_caps", row, "company_id", "zh\u0456pu")  # Cyrillic i
    found = problems(pkg)
    assert [(p.line, p.column, p.rule) for p in found] == [(line, column, "pattern")], [p.text() for p in found]
    assert "character 3 is U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I, not ASCII" in found[0].message


def test_a_near_miss_id_gets_a_suggestion(pkg: Path) -> None:
    row = next(i for i, r in enumerate(read_rows(pkg / "data" / "market_caps.csv")[1]) if r[0] == "minimax")
    line, column = set_cell(pkg, "market_caps", row, "company_id", "minimaxx")
    found = [p for p in problems(pkg) if p.rule == "foreign-key"]
    assert [(p.line, p.column) for p in found] == [(line, column)]
    assert found[0].message.endswith("did you mean 'minimax'?")
