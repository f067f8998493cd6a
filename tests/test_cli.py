"""The command line: output formats, exit codes, rule list, fmt, and Frictionless conformance."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ai_labs_data.cli import main

from helpers import read_rows, set_cell, write_rows

REPO = Path(__file__).resolve().parents[1]
TABLES = len(json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["resources"])


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_text_output_names_file_line_column_value_rule(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line, column = set_cell(pkg, "companies", 0, "kind", "unicorn")
    code, out = run(capsys, "validate", str(pkg))
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"data/companies.csv:{line}:{column}: [enum] kind='unicorn': must be one of startup")
    assert out.splitlines()[-1].startswith(f"INVALID: 1 problem(s): {TABLES} tables,")


def test_json_output(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line, column = set_cell(pkg, "market_caps", 0, "market_cap", "lots")
    code, out = run(capsys, "validate", str(pkg), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert data["problems"] == [
        {
            "file": "data/market_caps.csv",
            "line": line,
            "column": column,
            "field": "market_cap",
            "value": "lots",
            "rule": "type",
            "message": "expected an integer of at most 18 digits (no separators or decimals)",
        }
    ]


def test_github_annotations(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line, column = set_cell(pkg, "sources", 0, "url", "ftp://a,b")
    code, out = run(capsys, "validate", str(pkg), "--format", "github")
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"::error file=data/sources.csv,line={line},col={column},title=pattern::data/sources.csv:")


def test_valid_summary_and_exit_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "validate", str(repo / "datapackage.json"))
    assert code == 0
    assert out.startswith(f"valid: {TABLES} tables, ") and " sources, data cut-off 2026-" in out


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "validate", "--list-rules")
    assert code == 0
    names = [line.split()[1].rstrip(":") for line in out.splitlines()]
    assert {"one-preferred", "valuation-sum", "market-cap-listing", "source-used", "formula-injection"} <= set(names)


def test_fmt_sorts_and_is_lossless_and_idempotent(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pkg / "data" / "financials.csv"
    original = path.read_bytes()
    header, rows = read_rows(path)
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != rows
    write_rows(path, header, shuffled)
    code, out = run(capsys, "fmt", str(pkg), "--check")
    assert code == 1 and "would reformat data/financials.csv" in out
    assert path.read_bytes() != original  # --check never writes
    assert run(capsys, "fmt", str(pkg))[0] == 0
    assert path.read_bytes() == original
    code, out = run(capsys, "fmt", str(pkg), "--check")
    assert code == 0 and "canonical" in out


def test_fmt_normalises_numbers(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pkg / "data" / "financials.csv"
    original = path.read_bytes()
    header, rows = read_rows(path)
    value = header.index("value")
    row = next(i for i, r in enumerate(rows) if r[value] == "56.3")
    set_cell(pkg, "financials", row, "value", "56.30")
    run(capsys, "fmt", str(pkg))
    assert path.read_bytes() == original


def test_fmt_refuses_broken_structure(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = pkg / "data" / "companies.csv"
    path.write_bytes(path.read_bytes() + b"a,b\n")
    before = path.read_bytes()
    assert run(capsys, "fmt", str(pkg))[0] == 1
    assert path.read_bytes() == before


def test_cli_entry_point_has_no_traceback(tmp_path: Path) -> None:
    exe = shutil.which("ai-labs-data") or ""
    cmd = [exe] if exe else [sys.executable, "-m", "ai_labs_data.cli"]
    out = subprocess.run([*cmd, "validate", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr


def test_frictionless_conformance(repo: Path) -> None:
    from frictionless import Package

    report = Package(str(repo / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_with_no_path_the_package_around_the_current_directory_is_checked(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from ai_labs_data.package import default_root

    line, column = set_cell(pkg, "companies", 0, "kind", "unicorn")
    env = {k: v for k, v in os.environ.items() if k != "AI_LABS_DATA_ROOT"}
    command = [sys.executable, "-m", "ai_labs_data.cli", "validate"]
    inside = subprocess.run(command, cwd=pkg / "data" / "derived", capture_output=True, text=True, env=env)
    assert inside.returncode == 1
    assert f"package: {pkg.resolve()} (version " in inside.stderr
    assert f"data/companies.csv:{line}:{column}: [enum]" in inside.stdout
    outside = tmp_path_factory.mktemp("elsewhere")  # not inside the package's folder
    installed = subprocess.run(command, cwd=outside, capture_output=True, text=True, env=env)
    assert f"package: {default_root()} (version " in installed.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import ai_labs_data

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"ai-labs-data {ai_labs_data.__version__}\n"


def test_a_missing_extra_is_one_line_naming_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if the export extra were not installed
    code = main(["export", "--format", "duckdb", "--out", str(tmp_path), str(repo)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == (
        "error: `ai-labs-data export` needs duckdb, an optional dependency: pip install 'ai-labs-data[export]'"
    )
    assert "Traceback" not in err


def test_fmt_killed_before_the_rename_leaves_the_file_whole(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ai_labs_data.files as files

    path = pkg / "data" / "investors.csv"
    header, rows = read_rows(path)
    write_rows(path, header, list(reversed(rows)))  # out of canonical order: fmt must rewrite it
    before = path.read_bytes()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were stopped between writing and renaming

    monkeypatch.setattr(files.os, "replace", killed)
    assert main(["fmt", str(pkg)]) == 130  # one line, as for Ctrl-C, not a traceback
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
