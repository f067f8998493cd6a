"""Unusable or malformed input gets a clear, located problem and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ai_labs_data.cli import main

from helpers import located, problems


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_real_package_is_valid(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "validate", str(repo))
    assert code == 0, out
    tables = len(json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))["resources"])
    assert out.startswith(f"valid: {tables} tables,")
    assert "data cut-off 20" in out


def test_missing_file(pkg: Path) -> None:
    (pkg / "data" / "listings.csv").unlink()
    found = problems(pkg)
    assert [(p.file, p.rule) for p in found if p.file == "data/listings.csv"] == [("data/listings.csv", "file")]
    assert "not found" in found[0].message or any("not found" in p.message for p in found)


def test_non_utf8_file_is_located(pkg: Path) -> None:
    path = pkg / "data" / "sources.csv"
    data = path.read_bytes()
    header_end = data.index(b"\n") + 1
    path.write_bytes(data[:header_end] + b"caf\xe9" + data[header_end:])
    assert ("data/sources.csv", 2, 4, "encoding") in located(pkg)


def test_bom_and_crlf(pkg: Path) -> None:
    path = pkg / "data" / "companies.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n", 1).encode("utf-8"))
    found = located(pkg)
    assert ("data/companies.csv", 1, 1, "encoding") in found
    header_len = len(text.split("\n", 1)[0])
    assert ("data/companies.csv", 1, header_len + 1, "line-ending") in found


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda h: h.replace(",evidence", ""), {("data/companies.csv", 1, None, "header")}),
        (lambda h: h + ",notes", {("data/companies.csv", 1, 17, "header")}),
        (lambda h: h.replace("company_id,source_id", "source_id,company_id"), {("data/companies.csv", 1, 1, "header")}),
        (lambda h: h.replace(",website", ",country"), {("data/companies.csv", 1, 13, "header")}),
    ],
    ids=["missing-column", "extra-column", "reordered", "duplicated"],
)
def test_bad_header(pkg: Path, edit, expected: set) -> None:
    path = pkg / "data" / "companies.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(edit(header) + "\n" + rest, encoding="utf-8")
    found = {loc for loc in located(pkg) if loc[0] == "data/companies.csv"}
    assert expected <= found


def test_empty_file(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "data" / "market_caps.csv").write_bytes(b"")
    code, out, _ = run_cli(capsys, "validate", str(pkg))
    assert code == 1
    assert "data/market_caps.csv:1:1: [header]" in out
    assert "file is empty" in out


def test_unparsable_descriptor_exits_2(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (pkg / "datapackage.json").write_text("{not json", encoding="utf-8")
    code, out, err = run_cli(capsys, "validate", str(pkg))
    assert code == 2
    assert err.startswith("error: datapackage.json:1:2: invalid JSON")
    assert "Traceback" not in out + err


def test_missing_descriptor_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "validate", str(tmp_path))
    assert code == 2
    assert "datapackage.json: file not found" in err


def test_resource_path_escaping_package_is_refused(pkg: Path) -> None:
    descriptor = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["path"] = "../outside.csv"
    descriptor["resources"][1]["path"] = "https://example.org/companies.csv"
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    found = [(p.file, p.rule, p.value) for p in problems(pkg)]
    assert ("datapackage.json", "resource-path", "../outside.csv") in found
    assert ("datapackage.json", "resource-path", "https://example.org/companies.csv") in found


def test_validation_never_writes(pkg: Path) -> None:
    (pkg / "data" / "sources.csv").write_bytes(b"\xef\xbb\xbfbroken\r\n")
    before = {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}
    problems(pkg)
    assert before == {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file()}


def test_validating_again_sees_every_edit(pkg: Path) -> None:
    """Tables already checked in this process are reused by content: an edit, and its undoing, are seen."""
    from helpers import set_cell

    assert problems(pkg) == []
    original = (pkg / "data" / "companies.csv").read_bytes()
    line, column = set_cell(pkg, "companies", 0, "kind", "unicorn")
    assert {(p.file, p.line, p.column, p.rule) for p in problems(pkg)} == {("data/companies.csv", line, column, "enum")}
    (pkg / "data" / "companies.csv").write_bytes(original)
    assert problems(pkg) == []
    # A rule's problem in a table left unchanged is still reported when another table changes: the
    # per-table rules' results are reused with the unchanged table, not lost.
    line, column = set_cell(pkg, "companies", 0, "evidence", "=HYPERLINK(1)")
    formula = ("data/companies.csv", line, column, "formula-injection")
    assert {(p.file, p.line, p.column, p.rule) for p in problems(pkg)} == {formula}
    investor_line, investor_column = set_cell(pkg, "investors", 0, "kind", "unicorn")
    expected = {formula, ("data/investors.csv", investor_line, investor_column, "enum")}
    assert {(p.file, p.line, p.column, p.rule) for p in problems(pkg)} == expected
