"""Every export opened with its own reader and compared with the CSVs cell by cell."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import ai_labs_data
from ai_labs_data.cli import main
from ai_labs_data.resolve import PROVENANCE_SCHEMA
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
    from ai_labs_data.export.common import export_tables
    from ai_labs_data.export.writers import WRITERS

    out = tmp_path_factory.mktemp("export")
    assert main(["export", "--format", "json", "--out", str(out / "json"), str(repo)]) == 0  # the command
    pkg, tables = export_tables(repo)  # the other writers get the same tables, loaded once
    for fmt in ("parquet", "sqlite", "duckdb", "xlsx"):
        (out / fmt).mkdir()
        # The spreadsheet leaves out the exchange rates, whose 38,000 rows took most of the time of writing
        # and reading it back; their types are those of other tables, which it checks.
        chosen = [t for t in tables if t.name != XLSX_SKIPPED] if fmt == "xlsx" else tables
        WRITERS[fmt](pkg, chosen, out / fmt)
    return out


XLSX_SKIPPED = "fx_rates"


def frame_cells(frame, fields: list[Field]) -> list[list[str]]:
    return [[format_cell(v, f) for v, f in zip(row, fields, strict=True)] for row in frame.itertuples(index=False)]


@pytest.fixture(scope="module")
def expected(repo: Path) -> dict[str, tuple[list[Field], list[list[str]]]]:
    """What each exported table must hold, as CSV text: a fact table resolved under its own name and its
    claims (the CSV file) as `<name>_claims`; every other table as its CSV file; the provenance table."""
    out = {}
    for table in ai_labs_data.tables(root=repo):
        ts = ai_labs_data.schema(table, root=repo)
        cells = read_rows(ai_labs_data.path(table, root=repo))[1]
        if not ts.is_claims:
            out[table] = (list(ts.fields), cells)
            continue
        out[table + "_claims"] = (list(ts.fields), cells)
        resolved = ts.resolved()
        out[table] = (list(resolved.fields), frame_cells(ai_labs_data.load(table, root=repo), list(resolved.fields)))
    prov = PROVENANCE_SCHEMA
    out["provenance"] = (list(prov.fields), frame_cells(ai_labs_data.provenance(root=repo), list(prov.fields)))
    return out


def assert_same(expected: dict, table: str, rows: list[list[object]], ordered: bool = True) -> None:
    """The rows, read back as CSV text, are the expected ones (in order, unless a database chose it)."""
    fields, cells = expected[table]
    got = [[as_text(v, f) for v, f in zip(row, fields, strict=True)] for row in rows]
    if ordered:
        assert got == cells, table
    else:
        assert sorted(got) == sorted(cells), table


def test_every_fact_table_is_exported_resolved_with_its_claims_and_provenance(expected: dict) -> None:
    assert {"model_releases", "model_releases_claims", "companies", "companies_claims", "provenance"} <= set(expected)
    assert "sources_claims" not in expected  # a table of facts, not claims
    fields, rows = expected["provenance"]
    assert len(rows) > 1000 and [f.name for f in fields][:3] == ["table", "fact_key", "field"]


def test_parquet(repo: Path, exported: Path, expected: dict) -> None:
    for table, (fields, _) in expected.items():
        parquet = pq.read_table(exported / "parquet" / f"{table}.parquet")
        assert parquet.schema.names == [f.name for f in fields]
        assert parquet.schema.field(fields[0].name).metadata[b"description"].decode() == fields[0].description
        assert_same(expected, table, [list(r.values()) for r in parquet.to_pylist()])
    claims = pq.read_table(exported / "parquet" / "funding_rounds_claims.parquet")
    assert json.loads(claims.schema.metadata[b"primary_key"]) == ["round_id", "source_id"]
    facts = pq.read_table(exported / "parquet" / "funding_rounds.parquet")
    assert json.loads(facts.schema.metadata[b"primary_key"]) == ["round_id"]
    dates = pq.read_table(exported / "parquet" / "funding_rounds.parquet").schema.field("announced_date")
    assert str(dates.type) == "date32[day]"


def test_sqlite_with_keys_and_datasette_metadata(repo: Path, exported: Path, expected: dict) -> None:
    con = sqlite3.connect(exported / "sqlite" / "ai-labs-data.sqlite")
    for table, (fields, _) in expected.items():
        names = [f.name for f in fields]
        rows = con.execute(f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{table}"').fetchall()
        assert_same(expected, table, [list(r) for r in rows], ordered=False)
    pk = [r[1] for r in con.execute('PRAGMA table_info("funding_rounds")') if r[5]]
    assert pk == ["round_id"]
    fks = {(r[2], r[3]) for r in con.execute('PRAGMA foreign_key_list("funding_rounds_claims")')}
    assert fks == {("companies", "company_id"), ("sources", "source_id")}
    # A plain SQL sum over the resolved table counts each round once.
    total = con.execute("SELECT SUM(amount) FROM funding_rounds WHERE company_id = 'moonshot'").fetchone()[0]
    facts = ai_labs_data.load("funding_rounds", root=repo)
    assert total == facts.loc[facts["company_id"] == "moonshot", "amount"].sum()
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    meta = json.loads((exported / "sqlite" / "metadata.json").read_text(encoding="utf-8"))
    columns = meta["databases"]["ai-labs-data"]["tables"]["companies"]["columns"]
    assert columns["company_id"] == ai_labs_data.schema("companies", root=repo).field("company_id").description


def test_duckdb_with_comments(repo: Path, exported: Path, expected: dict) -> None:
    import duckdb

    con = duckdb.connect(str(exported / "duckdb" / "ai-labs-data.duckdb"), read_only=True)
    for table in expected:
        rows = [list(r) for r in con.execute(f'SELECT * FROM "{table}"').fetchall()]
        assert_same(expected, table, rows, ordered=False)
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'listings' AND column_name = 'exchange'"
    ).fetchone()[0]
    assert comment == ai_labs_data.schema("listings", root=repo).field("exchange").description
    query = "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'market_caps'"
    constraints = {r[0] for r in con.execute(query).fetchall()}
    assert {"PRIMARY KEY", "FOREIGN KEY"} <= constraints


def test_xlsx(exported: Path, expected: dict) -> None:
    from openpyxl import load_workbook

    book = load_workbook(exported / "xlsx" / "ai-labs-data.xlsx", read_only=True)
    assert book.sheetnames[0] == "README"
    for table, (fields, _) in expected.items():
        if table == XLSX_SKIPPED:
            continue
        # Streamed rows carry no empty trailing cells: read each row to the header's width.
        rows = [list(r) for r in book[table[:31]].iter_rows(values_only=True, max_col=len(fields))]
        assert rows[0] == [f.name for f in fields]
        assert_same(expected, table, rows[1:])


def test_json(exported: Path, expected: dict) -> None:
    for table in expected:
        records = json.loads((exported / "json" / f"{table}.json").read_text(encoding="utf-8"))
        assert_same(expected, table, [list(r.values()) for r in records])


def test_a_failed_export_keeps_the_previous_database(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import ai_labs_data.export.writers as writers

    assert main(["export", "--format", "sqlite", "--out", str(tmp_path), str(repo)]) == 0
    before = (tmp_path / "ai-labs-data.sqlite").read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writers, "_ddl", broken)
    capsys.readouterr()
    # A failure of the file system is one line and exit 2, not a traceback; the old database stays.
    assert main(["export", "--format", "sqlite", "--out", str(tmp_path), str(repo)]) == 2
    assert capsys.readouterr().err.strip().endswith("error: disk full")
    assert (tmp_path / "ai-labs-data.sqlite").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ai-labs-data.sqlite", "metadata.json"]  # no temp files


def test_xlsx_text_beginning_with_a_formula_sign_stays_text(repo: Path, tmp_path: Path) -> None:
    """Every text cell a spreadsheet could run (OWASP's prefixes) is written as text, not a formula."""
    from openpyxl import load_workbook

    from ai_labs_data.export.common import ExportTable
    from ai_labs_data.export.writers import FORMULA_PREFIXES, write_xlsx
    from ai_labs_data.package import open_package

    pkg = open_package(repo)
    frame = ai_labs_data.load("investors", root=repo).head(len(FORMULA_PREFIXES)).copy()
    names = [f"{prefix}1+1" for prefix in FORMULA_PREFIXES]
    frame["name"] = pd.array(names, dtype="string")
    table = ExportTable("investors", "", ai_labs_data.schema("investors", root=repo), frame)
    write_xlsx(pkg, [table], tmp_path)
    sheet = load_workbook(tmp_path / "ai-labs-data.xlsx")["investors"]
    column = table.schema.names.index("name") + 1
    cells = [sheet.cell(row=n + 2, column=column) for n in range(len(names))]
    # (XML keeps a lone CR as LF: the cell is still text, which is what matters here.)
    assert [c.value for c in cells] == [n.replace("\r", "\n") for n in names]
    assert {c.data_type for c in cells} == {"s"}


def test_an_invalid_package_is_not_exported(pkg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from helpers import set_cell

    set_cell(pkg, "investors", 0, "name", "=HYPERLINK(1)")  # a formula-injection defect
    assert main(["export", "--format", "json", "--out", str(tmp_path / "out"), str(pkg)]) == 1
    err = capsys.readouterr().err
    assert "[formula-injection]" in err and "not exported: the package has 1 problem(s)" in err
    assert not (tmp_path / "out").exists()
