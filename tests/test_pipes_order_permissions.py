"""The last classes of hostile conditions: a reader that goes away mid-output, a file the command may not
replace, and a parent company listed after its child when exporting with foreign keys enforced."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ai_labs_data.cli import main

from helpers import read_rows, write_rows


def test_output_cut_short_by_a_pipe_is_not_a_traceback(repo: Path) -> None:
    # `ai-labs-data validate --format json | head -c 10`: the reader closes the pipe after ten bytes.
    command = [sys.executable, "-m", "ai_labs_data.cli", "validate", "--format", "json", str(repo)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.wait(timeout=120)
    assert "Traceback" not in err
    assert proc.returncode in (0, 1)


def test_a_file_that_cannot_be_replaced_is_a_message(
    pkg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = read_rows(pkg / "data" / "companies.csv")
    write_rows(pkg / "data" / "companies.csv", header, list(reversed(rows)))  # unsorted: fmt must write
    before = (pkg / "data" / "companies.csv").read_bytes()

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    code = main(["fmt", str(pkg)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Permission denied" in err and "companies.csv" in err and "Traceback" not in err
    assert (pkg / "data" / "companies.csv").read_bytes() == before  # the old file, whole
    assert not list((pkg / "data").glob(".*.tmp"))  # no temporary file left behind


def test_export_inserts_a_parent_before_its_child(repo: Path, tmp_path: Path) -> None:
    from dataclasses import replace

    from ai_labs_data.export.common import export_tables
    from ai_labs_data.export.writers import write_duckdb, write_sqlite

    pkg, tables = export_tables(repo)
    companies = next(t for t in tables if t.name == "companies")
    parents = set(companies.frame["parent_company_id"].dropna())
    assert parents, "the real package names parent companies"
    # Every parent moved after every other company: each child now comes before its parent.
    is_parent = companies.frame["company_id"].isin(parents)
    reordered = pd.concat([companies.frame[~is_parent], companies.frame[is_parent]], ignore_index=True)
    tables = [replace(t, frame=reordered) if t is companies else t for t in tables]
    write_sqlite(pkg, tables, tmp_path)
    db = sqlite3.connect(tmp_path / "ai-labs-data.sqlite")
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    children = db.execute("SELECT company_id, parent_company_id FROM companies WHERE parent_company_id IS NOT NULL")
    assert {p for _, p in children} == parents
    # DuckDB enforces its foreign keys on every insert: the same order must hold there.
    write_duckdb(pkg, tables, tmp_path)
    assert (tmp_path / "ai-labs-data.duckdb").stat().st_size > 0
