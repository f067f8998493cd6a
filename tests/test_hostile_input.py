"""Hostile and broken input: a clear, located problem and exit 1 or 2; never a traceback, a hang or a
changed file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_labs_data.cli import main

from helpers import read_rows, set_cell

CLI = [sys.executable, "-m", "ai_labs_data.cli", "validate", "--format", "json"]


def run(root: Path) -> tuple[int, dict | None, str]:
    """The validator in its own process, as a contributor runs it; a timeout is a hang."""
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    out = subprocess.run([*CLI, str(root)], capture_output=True, text=True, timeout=120)
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    assert before == after, "the validator changed a file"
    assert "Traceback" not in out.stderr, out.stderr
    return out.returncode, json.loads(out.stdout) if out.stdout.strip() else None, out.stderr


def located(report: dict) -> set[tuple]:
    return {(p["file"], p["line"], p["column"], p["rule"]) for p in report["problems"]}


def test_mixed_line_endings(pkg: Path) -> None:
    path = pkg / "data" / "investors.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] += b"\r"
    lines[4] += b"\r"
    path.write_bytes(b"\n".join(lines))
    code, report, _ = run(pkg)
    assert code == 1
    found = {(f, line, rule) for f, line, _c, rule in located(report)}
    assert found == {("data/investors.csv", 3, "line-ending"), ("data/investors.csv", 5, "line-ending")}


def test_ten_megabyte_cell(pkg: Path) -> None:
    line, column = set_cell(pkg, "companies", 0, "name", "A" * 10_000_000)
    code, report, _ = run(pkg)
    assert code == 1
    assert located(report) == {("data/companies.csv", line, column, "cell-size")}


def test_ragged_and_quoted_newline_together(pkg: Path) -> None:
    path = pkg / "data" / "investors.csv"
    _header, rows = read_rows(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'x-capital,"X\nCapital",,other,US,\nshort,row\n', encoding="utf-8")
    first = len(rows) + 2
    code, report, _ = run(pkg)
    assert code == 1
    assert located(report) == {
        ("data/investors.csv", first, 2, "line-break"),
        ("data/investors.csv", first + 2, 3, "row-width"),
    }


def test_symlink_out_of_the_package_is_refused(pkg: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("not,your,data\n", encoding="utf-8")
    target = pkg / "data" / "listings.csv"
    target.unlink()
    os.symlink(outside, target)
    code, report, _ = run(pkg)
    assert code == 1
    assert ("datapackage.json", None, None, "resource-path") in located(report)
    assert outside.read_text(encoding="utf-8") == "not,your,data\n"


def test_schema_that_does_not_parse(pkg: Path) -> None:
    (pkg / "schemas" / "investors.json").write_text('{"fields": [', encoding="utf-8")
    code, report, _ = run(pkg)
    assert code == 1
    problem = next(p for p in report["problems"] if p["file"] == "schemas/investors.json")
    assert problem["rule"] == "schema" and "invalid JSON" in problem["message"]


def test_schema_with_unknown_field_type(pkg: Path) -> None:
    path = pkg / "schemas" / "investors.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["type"] = "strnig"
    path.write_text(json.dumps(schema), encoding="utf-8")
    code, report, _ = run(pkg)
    assert code == 1
    assert {(p["file"], p["field"], p["rule"]) for p in report["problems"]} >= {
        ("schemas/investors.json", "name", "schema")
    }


def test_descriptor_without_resources_list_exits_2(pkg: Path) -> None:
    (pkg / "datapackage.json").write_text('{"resources": {"a": 1}}', encoding="utf-8")
    code, report, err = run(pkg)
    assert code == 2 and report is None
    assert "every resource needs a name, a path and a schema path" in err


def test_binary_garbage(pkg: Path) -> None:
    (pkg / "data" / "market_caps.csv").write_bytes(bytes(range(256)) * 100)
    code, report, _ = run(pkg)
    assert code == 1
    assert any(p["file"] == "data/market_caps.csv" for p in report["problems"])


def test_deeply_nested_json_is_a_message_not_a_traceback(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "schemas" / "investors.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert main(["validate", str(pkg)]) == 1
    out = capsys.readouterr().out
    assert "schemas/investors.json: [schema]: schema cannot be read: investors.json: JSON nested too deeply" in out
    (pkg / "datapackage.json").write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    assert main(["validate", str(pkg)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "error: datapackage.json: JSON nested too deeply to read"


def test_a_schema_without_fields_is_an_error_about_the_schema(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "schemas" / "investors.json").write_text('{"primaryKey": "investor_id"}', encoding="utf-8")
    assert main(["validate", str(pkg)]) == 1
    assert "schemas/investors.json: [schema]: schema cannot be read: a Table Schema needs `fields`" in (
        capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("child", "field", "parent", "reference"),
    [
        ("model_releases", "source_id", "sources", "url"),  # a prose field another table's key points to
        ("sources", "publisher", "investors", "name"),  # a prose field that is itself a foreign key
    ],
)
def test_a_prose_field_made_a_key_is_checked_as_one(
    pkg: Path, child: str, field: str, parent: str, reference: str
) -> None:
    # Validation lets go of evidence and the sources' prose once the rules about one table have read
    # them; a schema that makes one of them a key keeps it for the foreign keys checked afterwards.
    path = pkg / "schemas" / f"{child}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema.setdefault("foreignKeys", []).append(
        {"fields": field, "reference": {"resource": parent, "fields": reference}}
    )
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    code, report, _ = run(pkg)
    assert code == 1 and report is not None
    dangling = [p for p in report["problems"] if p["rule"] == "foreign-key" and p["field"] == field]
    assert dangling and {p["file"] for p in dangling} == {f"data/{child}.csv"}
    assert dangling[0]["message"].startswith(f"not found in {parent}.{reference}")
    assert not [p for p in report["problems"] if "could not run" in p["message"]]
