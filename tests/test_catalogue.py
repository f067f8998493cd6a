"""One catalogue of every rule: --list-rules prints it, and each rule in it has a planted defect."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ai_labs_data.cli import main
from ai_labs_data.validate.catalogue import catalogue

from helpers import problems, read_rows, set_cell

TESTS = Path(__file__).parent


def test_list_rules_prints_the_whole_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--list-rules"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[1].rstrip(":") for line in out] == [name for _, name, _ in catalogue()]
    assert {line.split()[0] for line in out} == {"structure", "rules", "freshness"}


def test_contributing_lists_every_rule_of_the_catalogue(repo: Path) -> None:
    text = (repo / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (structure|rules|freshness) \| `([^`]+)` \| (.+) \|$", text, re.MULTILINE)
    assert [(layer, name) for layer, name, _ in rows] == [(layer, name) for layer, name, _ in catalogue()]


def test_every_rule_has_a_planted_defect() -> None:
    # A rule counts as tested when a test plants a defect and expects the rule by name.
    text = "".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name)
    text += CATALOGUE_PLANTS
    untested = [name for _, name, _ in catalogue() if not re.search(rf"[\"']{re.escape(name)}[\"']", text)]
    assert untested == []


# The plants of this file's own tests, named for the check above.
CATALOGUE_PLANTS = "'blank-line' 'csv-syntax' 'claim-company' 'cutoff' 'unique' 'maximum' 'minLength' 'cell-size'"


def test_blank_line(pkg: Path) -> None:
    path = pkg / "data" / "investors.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(3, "")
    path.write_text("\n".join(lines), encoding="utf-8")
    assert {(p.file, p.line, p.rule) for p in problems(pkg)} == {("data/investors.csv", 4, "blank-line")}


def test_csv_syntax(pkg: Path) -> None:
    path = pkg / "data" / "investors.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'zz-investor,"Broken,,other\n', encoding="utf-8")
    line = text.count("\n") + 1
    assert {(p.file, p.line, p.rule) for p in problems(pkg)} == {("data/investors.csv", line, "csv-syntax")}


def test_claims_of_one_round_name_one_company(pkg: Path) -> None:
    header, rows = read_rows(pkg / "data" / "funding_rounds.csv")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[0]] = counts.get(r[0], 0) + 1
    row = next(i for i, r in enumerate(rows) if counts[r[0]] > 1 and r[header.index("preferred")] == "false")
    line, column = set_cell(pkg, "funding_rounds", row, "company_id", "zhipu" if rows[row][2] != "zhipu" else "minimax")
    assert line in {p.line for p in problems(pkg)}
    found = {(p.file, p.column, p.rule) for p in problems(pkg)}
    assert ("data/funding_rounds.csv", column, "claim-company") in found
    assert {rule for _, _, rule in found} == {"claim-company"}


def test_cutoff_is_required(pkg: Path) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    del descriptor["data_cutoff"]
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    assert ("datapackage.json", "cutoff") in {(p.file, p.rule) for p in problems(pkg)}


def test_unique_field(pkg: Path) -> None:
    # A unique constraint on a field that is no key: investors' names made unique in this copy's schema.
    schema_path = pkg / "schemas" / "investors.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "name").setdefault("constraints", {})["unique"] = True
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    header, rows = read_rows(pkg / "data" / "investors.csv")
    line, column = set_cell(pkg, "investors", 1, "name", rows[0][header.index("name")])
    found = {(p.file, p.line, p.column, p.rule) for p in problems(pkg)}
    assert ("data/investors.csv", line, column, "unique") in found


def _constrain(pkg: Path, table: str, field: str, **constraints: object) -> None:
    """A constraint added to a field in this copy's schema (no real schema uses it on that field yet)."""
    schema_path = pkg / "schemas" / f"{table}.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == field).setdefault("constraints", {}).update(constraints)
    schema_path.write_text(json.dumps(schema), encoding="utf-8")


def test_maximum(pkg: Path) -> None:
    _constrain(pkg, "market_caps", "share_price", maximum=1_000_000)
    header, rows = read_rows(pkg / "data" / "market_caps.csv")
    row = next(i for i, r in enumerate(rows) if r[header.index("share_price")])
    line, column = set_cell(pkg, "market_caps", row, "share_price", "1000001")
    found = problems(pkg)
    assert [(p.line, p.column, p.rule) for p in found] == [(line, column, "maximum")]
    assert found[0].message == "must be <= 1000000"


def test_min_length(pkg: Path) -> None:
    _constrain(pkg, "investors", "name", minLength=2)  # every investor's name has two characters or more
    line, column = set_cell(pkg, "investors", 0, "name", "x")
    found = problems(pkg)
    assert [(p.line, p.column, p.rule) for p in found] == [(line, column, "minLength")]


def test_cell_size(pkg: Path) -> None:
    line, column = set_cell(pkg, "companies", 0, "name", "A" * 10_000_000)
    assert [(p.file, p.line, p.column, p.rule) for p in problems(pkg)] == [
        ("data/companies.csv", line, column, "cell-size")
    ]
