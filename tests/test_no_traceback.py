"""Damaged packages and hostile arguments each get one located message and exit 1 or 2, never a
traceback, and one root cause is told once (no cascade of consequences)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_labs_data.cli import main

from helpers import problems, read_rows, write_rows


def edit_schema(pkg: Path, table: str, change) -> None:
    path = pkg / "schemas" / f"{table}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out + captured.err


def test_a_pattern_that_cannot_compile_is_one_error_about_the_schema(pkg: Path) -> None:
    def broken(schema: dict) -> None:
        next(f for f in schema["fields"] if f["name"] == "investor_id")["constraints"]["pattern"] = "^[a-z(+$"

    edit_schema(pkg, "investors", broken)
    found = problems(pkg)
    assert [(p.file, p.field, p.rule) for p in found] == [("schemas/investors.json", "investor_id", "schema")]
    assert "cannot be compiled" in found[0].message


def test_an_unreadable_table_does_not_cascade(pkg: Path) -> None:
    (pkg / "data" / "sources.csv").write_bytes(b"\xff\xfe not text")
    found = problems(pkg)
    assert [(p.file, p.rule) for p in found] == [("data/sources.csv", "encoding")], [p.text() for p in found]


def test_a_table_with_a_header_and_no_rows(pkg: Path) -> None:
    header, _ = read_rows(pkg / "data" / "listings.csv")
    write_rows(pkg / "data" / "listings.csv", header, [])
    found = problems(pkg)
    # The market caps now lack their listing, and the listings' own sources are cited by nothing.
    assert found and {p.rule for p in found} == {"market-cap-listing", "source-used"}


@pytest.mark.parametrize("name", ["inv[1]", "Investors", "x" * 32, "drop table"])
def test_an_unsafe_resource_name_is_refused_before_any_export(
    pkg: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == "investors")["name"] = name
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    assert [(p.rule, p.value) for p in problems(pkg)] == [("resource-name", name)]
    code, printed = run(["export", "--format", "xlsx", "--out", str(tmp_path / "out"), str(pkg)], capsys)
    assert code == 1 and "not exported" in printed and not (tmp_path / "out").exists()


def test_diff_of_a_file_that_is_not_utf8(repo: Path, pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (pkg / "data" / "investors.csv").open("ab") as file:
        file.write(b"\xff\xfe\n")
    code, printed = run(["diff", str(repo), str(pkg)], capsys)
    assert code == 2 and "data/investors.csv: not UTF-8" in printed


def test_diff_across_a_renamed_key(repo: Path, pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = read_rows(pkg / "data" / "investors.csv")
    write_rows(pkg / "data" / "investors.csv", ["investor_key", *header[1:]], rows)

    def renamed(schema: dict) -> None:
        schema["fields"][0]["name"] = "investor_key"
        schema["primaryKey"] = ["investor_key"]

    edit_schema(pkg, "investors", renamed)
    code, printed = run(["diff", str(repo), str(pkg)], capsys)
    assert code == 0 and f"investors: +{len(rows)} added, -{len(rows)} removed" in printed


def test_export_to_a_file_is_refused(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine", encoding="utf-8")
    code, printed = run(["export", "--format", "json", "--out", str(target), str(repo)], capsys)
    assert code == 2 and "is a file: give a folder" in printed and target.read_text(encoding="utf-8") == "mine"


def test_info_with_a_missing_table(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "data" / "listings.csv").unlink()
    code, printed = run(["info", str(pkg)], capsys)
    assert code == 2 and "data/listings.csv: file not found" in printed
