"""One writer per format. Each keeps the schema's types, keys and descriptions as far as the format can."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..files import write_atomically, write_with
from ..package import Package
from ..types import TYPES
from .common import ExportTable, enforceable_foreign_keys


def _plain(frame: pd.DataFrame, table: ExportTable, dates_as_text: bool) -> list[list]:
    """Rows of Python values: None for missing, ISO text or datetime.date for dates, bool/int/float/str.
    Converted column by column: pandas' nullable Int64, Float64, boolean and string columns give Python
    ints, floats, bools and strs as objects."""
    columns = []
    for f in table.schema.fields:
        col = frame[f.name]
        missing = col.isna().to_numpy()
        if f.type == "date":
            dates = pd.to_datetime(col)
            values = dates.dt.strftime("%Y-%m-%d") if dates_as_text else pd.Series(dates.dt.date, index=col.index)
        elif f.type in ("integer", "number", "boolean"):
            values = col.astype({"integer": "Int64", "number": "Float64", "boolean": "boolean"}[f.type])
        else:
            values = col.astype("string")
        cells = values.astype(object).to_numpy(copy=True)
        cells[missing] = None
        columns.append(cells.tolist())
    return [list(r) for r in zip(*columns, strict=True)] if columns else []


def _arrow_table(t: ExportTable, pkg: Package, frame: pd.DataFrame | None = None) -> pa.Table:
    """The table in Arrow, typed by its schema, with descriptions and units as field metadata."""
    fields = []
    for f in t.schema.fields:
        meta = {"description": f.description, "type": f.type}
        if f.name in t.units:
            meta["unit"] = t.units[f.name]
        fields.append(
            pa.field(
                f.name,
                TYPES[f.type].arrow_type(),
                nullable=not f.required,
                metadata={k: str(v) for k, v in meta.items()},
            )
        )
    schema = pa.schema(
        fields,
        metadata={
            "description": t.description,
            "primary_key": json.dumps(list(t.schema.primary_key)),
            "package": pkg.descriptor.get("name", ""),
            "version": pkg.version,
            "data_cutoff": pkg.data_cutoff or "",
            "license": "CC-BY-4.0",
        },
    )
    rows = _plain(t.frame if frame is None else frame, t, dates_as_text=False)
    arrays = [pa.array([r[i] for r in rows], type=TYPES[f.type].arrow_type()) for i, f in enumerate(t.schema.fields)]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_parquet(pkg: Package, tables: list[ExportTable], out: Path) -> list[Path]:
    written = []
    for t in tables:
        path = out / f"{t.name}.parquet"
        table = _arrow_table(t, pkg)
        write_with(path, lambda temp, table=table: pq.write_table(table, temp))
        written.append(path)
    return written


def _ddl(t: ExportTable, fks: list, dialect: str, comments_inline: bool) -> str:
    """CREATE TABLE in `dialect` (sqlite or duckdb: the attribute of types.FieldType naming its type)."""
    lines = []
    for f in t.schema.fields:
        null = " NOT NULL" if f.required else ""
        comment = f"  -- {f.description}" if comments_inline else ""
        lines.append(f'  "{f.name}" {getattr(TYPES[f.type], dialect)}{null},{comment}')
    lines.append(f"  PRIMARY KEY ({', '.join(chr(34) + k + chr(34) for k in t.schema.primary_key)})")
    for fk in fks:
        cols = ", ".join(f'"{c}"' for c in fk.fields)
        ref = ", ".join(f'"{c}"' for c in fk.reference_fields)
        lines[-1] += ","
        lines.append(f'  FOREIGN KEY ({cols}) REFERENCES "{fk.resource}" ({ref})')
    return f'CREATE TABLE "{t.name}" (\n' + "\n".join(lines) + "\n)"


def _parents_first(t: ExportTable, fks: list) -> list[pd.DataFrame]:
    """The table's rows in batches, each referring only to rows of earlier batches through the table's
    foreign keys to itself (a company's parent company): inserted in this order, the keys hold at every
    statement. Rows caught in a reference cycle come last, where the database refuses them."""
    own = [fk for fk in fks if fk.resource == t.name and len(fk.fields) == 1]
    if not own:
        return [t.frame]
    child, parent = own[0].fields[0], own[0].reference_fields[0]
    frame = t.frame
    placed = pd.Series(False, index=frame.index)
    batches = []
    while not placed.all():
        known = set(frame.loc[placed, parent].dropna())
        ready = ~placed & (frame[child].isna() | frame[child].isin(known) | frame[child].eq(frame[parent]))
        if not ready.any():
            batches.append(frame[~placed])
            break
        batches.append(frame[ready])
        placed |= ready
    return batches


def _dependency_order(tables: list[ExportTable], fks: dict[str, list]) -> list[ExportTable]:
    """Parents before children, so that declared foreign keys hold while rows are inserted."""
    done: list[ExportTable] = []
    pending = list(tables)
    while pending:
        for t in pending:
            parents = {fk.resource for fk in fks[t.name]} - {t.name}
            if parents <= {d.name for d in done}:
                done.append(t)
                pending.remove(t)
                break
        else:  # a cycle: keep the remaining order
            done += pending
            break
    return done


def write_sqlite(pkg: Package, tables: list[ExportTable], out: Path) -> list[Path]:
    """A SQLite database (keys declared, descriptions as comments in the DDL) and the metadata.json that
    gives Datasette the table and column descriptions: `datasette ai-labs-data.sqlite -m metadata.json`."""
    path, meta_path = out / "ai-labs-data.sqlite", out / "metadata.json"
    fks = enforceable_foreign_keys(tables)

    def write(temp: Path) -> None:
        con = sqlite3.connect(temp)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            for t in _dependency_order(tables, fks):
                con.execute(_ddl(t, fks[t.name], "sqlite", comments_inline=True))
                marks = ", ".join("?" for _ in t.schema.fields)
                for batch in _parents_first(t, fks[t.name]):
                    rows = [[int(v) if isinstance(v, bool) else v for v in r] for r in _plain(batch, t, True)]
                    con.executemany(f'INSERT INTO "{t.name}" VALUES ({marks})', rows)
            con.commit()
        finally:
            con.close()

    write_with(path, write)  # a failed export keeps the previous database
    metadata = {
        "title": pkg.descriptor.get("title"),
        "description": pkg.descriptor.get("description"),
        "license": "CC-BY-4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "databases": {
            "ai-labs-data": {
                "tables": {
                    t.name: {"description": t.description, "columns": {f.name: f.description for f in t.schema.fields}}
                    for t in tables
                }
            }
        },
    }
    write_atomically(meta_path, (json.dumps(metadata, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return [path, meta_path]


def write_duckdb(pkg: Package, tables: list[ExportTable], out: Path) -> list[Path]:
    import duckdb

    path = out / "ai-labs-data.duckdb"
    fks = enforceable_foreign_keys(tables)

    def write(temp: Path) -> None:
        con = duckdb.connect(str(temp))
        try:
            # One transaction: a commit per table and per comment made the export twice as slow as SQLite's.
            con.execute("BEGIN TRANSACTION")
            for t in _dependency_order(tables, fks):
                con.execute(_ddl(t, fks[t.name], "duckdb", comments_inline=False))
                con.execute(f"COMMENT ON TABLE \"{t.name}\" IS '{_sql_text(t.description)}'")
                for f in t.schema.fields:
                    con.execute(f'COMMENT ON COLUMN "{t.name}"."{f.name}" IS \'{_sql_text(f.description)}\'')
                # One bulk insert from Arrow: row-by-row inserts take DuckDB seconds per thousand rows.
                for batch in _parents_first(t, fks[t.name]):
                    con.register("incoming", _arrow_table(t, pkg, batch))
                    con.execute(f'INSERT INTO "{t.name}" SELECT * FROM incoming')
                    con.unregister("incoming")
            con.execute("COMMIT")
        finally:
            con.close()

    write_with(path, write)
    return [path]


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


# Text that a spreadsheet could read as a formula or a command (OWASP's CSV-injection prefixes).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_xlsx(pkg: Package, tables: list[ExportTable], out: Path) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    path = out / "ai-labs-data.xlsx"
    # Write-only mode streams each row to the file instead of holding every cell as an object.
    book = Workbook(write_only=True)
    about = book.create_sheet("README")
    about.append([pkg.descriptor.get("title", "")])
    about.append([f"version {pkg.version}, data cut-off {pkg.data_cutoff}, licence CC BY 4.0"])
    about.append([])
    about.append(["table", "field", "type", "description"])
    for t in tables:
        about.append([t.name, "", "", t.description])
        for f in t.schema.fields:
            about.append([t.name, f.name, f.type, f.description])

    def as_text(sheet, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text stays text: a cell beginning with = is never run as a formula
        return cell

    for t in tables:
        sheet = book.create_sheet(t.name[:31])
        sheet.append(t.schema.names)
        text_columns = [i for i, f in enumerate(t.schema.fields) if f.type == "string"]
        for row in _plain(t.frame, t, dates_as_text=False):
            for i in text_columns:
                value = row[i]
                if value is not None and value.startswith(FORMULA_PREFIXES):
                    row[i] = as_text(sheet, value)
            sheet.append(row)
    write_with(path, lambda temp: book.save(temp))
    return [path]


def write_json(pkg: Package, tables: list[ExportTable], out: Path) -> list[Path]:
    written = []
    for t in tables:
        rows = _plain(t.frame, t, dates_as_text=True)
        records = [dict(zip(t.schema.names, r, strict=True)) for r in rows]
        path = out / f"{t.name}.json"
        write_atomically(path, (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        written.append(path)
    return written


WRITERS = {
    "parquet": write_parquet,
    "sqlite": write_sqlite,
    "duckdb": write_duckdb,
    "xlsx": write_xlsx,
    "json": write_json,
}
