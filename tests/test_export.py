"""Every export opened with its own reader and compared with the CSVs cell by cell."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import ai_labs_data
from ai_labs_data.cli import main
from ai_labs_data.tableschema import Field, format_cell

from helpers import read_rows


def as_text(value: object, f: Field) -> str:
    """A value read back from an export, in the CSV's canonical text."""
    if value is None:
        return ""
    if f.type == "boolean":
        value = bool(value)
    if f.type == "date" and isinstance(value, dt.datetime | dt.date | str):
        value = str(value)[:10]
        return value
    return format_cell(value, f)


@pytest.fixture(scope="module")
def exported(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    for fmt in ("parquet", "sqlite", "duckdb", "xlsx", "json"):
        assert main(["export", "--format", fmt, "--out", str(out / fmt), str(repo)]) == 0
    return out


def csv_cells(repo: Path, table: str) -> list[list[str]]:
    return read_rows(ai_labs_data.path(table, root=repo))[1]


def assert_same(repo: Path, table: str, rows: list[list[object]]) -> None:
    fields = ai_labs_data.schema(table, root=repo).fields
    got = [[as_text(v, f) for v, f in zip(row, fields, strict=True)] for row in rows]
    assert got == csv_cells(repo, table), table


def test_parquet(repo: Path, exported: Path) -> None:
    for table in ai_labs_data.tables(root=repo):
        parquet = pq.read_table(exported / "parquet" / f"{table}.parquet")
        fields = ai_labs_data.schema(table, root=repo).fields
        assert parquet.schema.names == [f.name for f in fields]
        assert parquet.schema.field(fields[0].name).metadata[b"description"].decode() == fields[0].description
        assert json.loads(parquet.schema.metadata[b"primary_key"]) == list(
            ai_labs_data.schema(table, root=repo).primary_key
        )
        assert_same(repo, table, [list(r.values()) for r in parquet.to_pylist()])
    dates = pq.read_table(exported / "parquet" / "funding_rounds.parquet").schema.field("announced_date")
    assert str(dates.type) == "date32[day]"


def test_sqlite_with_keys_and_datasette_metadata(repo: Path, exported: Path) -> None:
    con = sqlite3.connect(exported / "sqlite" / "ai-labs-data.sqlite")
    for table in ai_labs_data.tables(root=repo):
        names = [f.name for f in ai_labs_data.schema(table, root=repo).fields]
        rows = con.execute(f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{table}"').fetchall()
        assert_same(repo, table, [list(r) for r in rows])
    pk = [r[1] for r in con.execute('PRAGMA table_info("funding_rounds")') if r[5]]
    assert pk == ["round_id", "source_id"]
    fks = {(r[2], r[3]) for r in con.execute('PRAGMA foreign_key_list("funding_rounds")')}
    assert fks == {("companies", "company_id"), ("sources", "source_id")}
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    meta = json.loads((exported / "sqlite" / "metadata.json").read_text(encoding="utf-8"))
    columns = meta["databases"]["ai-labs-data"]["tables"]["companies"]["columns"]
    assert columns["company_id"] == ai_labs_data.schema("companies", root=repo).field("company_id").description


def test_duckdb_with_comments(repo: Path, exported: Path) -> None:
    import duckdb

    con = duckdb.connect(str(exported / "duckdb" / "ai-labs-data.duckdb"), read_only=True)
    for table in ai_labs_data.tables(root=repo):
        assert_same(repo, table, [list(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall()])
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'listings' AND column_name = 'exchange'"
    ).fetchone()[0]
    assert comment == ai_labs_data.schema("listings", root=repo).field("exchange").description
    query = "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'market_caps'"
    constraints = {r[0] for r in con.execute(query).fetchall()}
    assert {"PRIMARY KEY", "FOREIGN KEY"} <= constraints


def test_xlsx(repo: Path, exported: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(exported / "xlsx" / "ai-labs-data.xlsx", read_only=True)
    assert book.sheetnames[0] == "README"
    for table in ai_labs_data.tables(root=repo):
        rows = [list(r) for r in book[table[:31]].iter_rows(values_only=True)]
        assert rows[0] == [f.name for f in ai_labs_data.schema(table, root=repo).fields]
        assert_same(repo, table, rows[1:])


def test_json(repo: Path, exported: Path) -> None:
    for table in ai_labs_data.tables(root=repo):
        records = json.loads((exported / "json" / f"{table}.json").read_text(encoding="utf-8"))
        assert_same(repo, table, [list(r.values()) for r in records])
