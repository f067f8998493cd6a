"""Plant each defect class into a copy of the real data and assert the exact file, line and column."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ai_labs_data.problems import Problem

from helpers import append_copy, find_row, problems, read_rows, set_cell


def on_line(found: list[Problem], file: str, line: int) -> set[tuple[int | None, str]]:
    return {(p.column, p.rule) for p in found if p.file == file and p.line == line}


def assert_only(found: list[Problem], file: str, line: int, expected: set[tuple[int, str]]) -> None:
    """The planted defect is reported at its cell, and nothing is reported anywhere else."""
    assert {(p.file, p.line) for p in found} == {(file, line)}, [p.text() for p in found]
    assert on_line(found, file, line) == expected, [p.text() for p in found]


# (table, field, planted value, rule): defects of a single cell in the first data row.
CELL_DEFECTS = [
    ("funding_rounds", "amount", "12abc", "type"),
    ("funding_rounds", "amount", "1,000", "type"),
    ("funding_rounds", "amount", "1.5", "type"),
    ("funding_rounds", "pre_money_valuation", "-5", "minimum"),
    ("funding_rounds", "round_type", "series_z", "enum"),
    ("funding_rounds", "preferred", "yes", "type"),
    ("funding_rounds", "preferred", "no", "type"),
    ("funding_rounds", "currency", "usd", "pattern"),
    ("funding_rounds", "round_id", "Bad Slug", "pattern"),
    ("sources", "url", "ftp://example.org/a", "pattern"),
    ("sources", "url", "javascript:alert(1)", "pattern"),
    ("sources", "published_date", "2025-02-30", "type"),
    ("sources", "published_date", "2025/03/03", "type"),
    ("sources", "published_date", "3 March 2025", "type"),
    ("sources", "source_type", "blog", "enum"),
    ("sources", "language", "English", "pattern"),
    ("companies", "source_id", "", "required"),
    ("companies", "kind", "unicorn", "enum"),
    ("companies", "country", "China", "pattern"),
    ("companies", "website", "www.example.org", "pattern"),
    ("companies", "evidence", "x" * 281, "evidence-excerpt"),
    ("companies", "evidence", "x" * 2001, "maxLength"),
    ("companies", "evidence", "", "required"),
    ("companies", "evidence", '=HYPERLINK("http://x")', "formula-injection"),
    ("companies", "evidence", "@SUM(A1)", "formula-injection"),
    ("companies", "evidence", " padded", "whitespace"),
    ("companies", "parent_company_id", "no-such-company", "foreign-key"),
    ("market_caps", "market_cap", "-1", "minimum"),
    ("market_caps", "share_price", "12.5.1", "type"),
    ("model_releases", "params_total", "0", "minimum"),
    ("model_releases", "modalities", "text,image", "pattern"),
    ("model_releases", "architecture", "transformer", "enum"),
    ("financials", "unit", "dollars", "pattern"),
    ("financials", "metric", "ebitda", "enum"),
    ("financials", "value", "", "required"),
    ("financials", "date_precision", "", "required"),
    ("investors", "kind", "angel_fund", "enum"),
    ("listings", "exchange", "hkex", "pattern"),
    ("round_investors", "investor_id", "nobody-capital", "foreign-key"),
    ("round_investors", "is_lead", "TRUE", "type"),
]


@pytest.mark.parametrize(("table", "field", "value", "rule"), CELL_DEFECTS, ids=lambda v: str(v)[:20])
def test_cell_defect_is_located(pkg: Path, table: str, field: str, value: str, rule: str) -> None:
    line, column = set_cell(pkg, table, plant_row(pkg, table), field, value)
    assert_only(problems(pkg), f"data/{table}.csv", line, {(column, rule)})


# (table, row selector, field, planted value, rule): one cell made to break a cross-column rule.
RULE_DEFECTS = [
    (
        "funding_rounds",
        lambda r: r["company_id"] == "zhipu" and r["date_precision"] == "day",
        "announced_date",
        "2018-12-31",
        "before-founding",
    ),
    ("model_releases", lambda r: r["release_date"] != "", "release_date", "2099-01-01", "after-cutoff"),
    # Ten times the total: the same digits, so the evidence still writes the planted value.
    (
        "model_releases",
        lambda r: r["params_total"] != "",
        "params_active",
        lambda r: r["params_total"] + "0",
        "active-params",
    ),
    ("financials", lambda r: r["metric"] == "gross_margin", "unit", "CNY", "metric-unit"),
    ("funding_rounds", lambda r: r["amount"] != "", "currency", "", "currency-given"),
    ("companies", lambda r: r["date_precision"] == "year", "founded_date", "2019-06-01", "date-precision"),
    ("funding_rounds", lambda r: r["date_precision"] == "day", "date_precision", "", "date-precision"),
    ("financials", lambda r: r["date_precision"] == "month", "period_end", "2024-12-15", "date-precision"),
]


@pytest.mark.parametrize(("table", "select", "field", "value", "rule"), RULE_DEFECTS, ids=[d[4] for d in RULE_DEFECTS])
def test_rule_defect_is_located(pkg: Path, table: str, select, field: str, value, rule: str) -> None:
    row = find_row(pkg, table, select)
    if callable(value):
        header, rows = read_rows(pkg / "data" / f"{table}.csv")
        value = value(dict(zip(header, rows[row], strict=True)))
    line, column = set_cell(pkg, table, row, field, value)
    assert_only(problems(pkg), f"data/{table}.csv", line, {(column, rule)})


def test_all_problems_are_reported_at_once(pkg: Path) -> None:
    a = set_cell(pkg, "companies", 0, "kind", "unicorn")
    b = set_cell(pkg, "sources", 1, "url", "ftp://x")
    c = set_cell(pkg, "market_caps", 0, "market_cap", "abc")
    found = {(p.file, p.line, p.column, p.rule) for p in problems(pkg)}
    assert found == {
        ("data/companies.csv", *a, "enum"),
        ("data/sources.csv", *b, "pattern"),
        ("data/market_caps.csv", *c, "type"),
    }


def test_duplicate_primary_key(pkg: Path) -> None:
    line = append_copy(pkg, "companies", 0)
    found = problems(pkg)
    assert {(p.line, p.column, p.rule) for p in found} == {(2, 1, "primary-key"), (line, 1, "primary-key")}


def test_duplicate_compound_key(pkg: Path) -> None:
    line = append_copy(pkg, "market_caps", 0, preferred="false")
    found = {(p.file, p.line, p.column, p.rule) for p in problems(pkg)}
    assert found == {("data/market_caps.csv", 2, 1, "primary-key"), ("data/market_caps.csv", line, 1, "primary-key")}


def test_foreign_key_to_sources(pkg: Path) -> None:
    line, column = set_cell(pkg, "financials", 0, "source_id", "nowhere-20990101-missing")
    found = problems(pkg)
    assert ("data/financials.csv", line, column, "foreign-key") in {(p.file, p.line, p.column, p.rule) for p in found}


FACT_KEYS = {
    "funding_rounds": ["round_id"],
    "listings": ["company_id", "exchange"],
    "financials": ["company_id", "metric", "period_start", "period_end"],
    "model_releases": ["model_id"],
    "market_caps": ["company_id", "date"],
}


# How to make a copy of a claim into a fact of its own, which nothing else refers to.
NEW_FACT = {
    "funding_rounds": {"round_id": "zz-planted-round"},
    "listings": {"exchange": "XSHG"},
    "financials": {"metric": "employees", "unit": "count"},
    "model_releases": {"model_id": "zhipu/zz-planted-model", "company_id": "zhipu"},
    "market_caps": {"date": "2026-11-02"},
}


def plant_row(root: Path, table: str) -> int:
    """A row whose defects stay its own: for a fact table, the only claim of its fact."""
    if table not in FACT_KEYS:
        return 0
    line = append_copy(root, table, 0, preferred="true", **NEW_FACT[table])  # valid: see the test below
    return line - 2


def test_every_planted_fact_is_valid_before_its_defect(pkg: Path) -> None:
    """plant_row's new facts are valid as planted, so a defect planted in one is the only problem."""
    for table in FACT_KEYS:
        append_copy(pkg, table, 0, preferred="true", **NEW_FACT[table])
    assert problems(pkg) == []


def single_claim_row(root: Path, table: str, key: list[str], also=lambda r: True) -> int:
    """Index of a row that is the only claim of its fact key (and so preferred)."""
    header, rows = read_rows(root / "data" / f"{table}.csv")
    idx = [header.index(k) for k in key]
    counts = Counter(tuple(r[i] for i in idx) for r in rows)
    return next(
        n
        for n, r in enumerate(rows)
        if counts[tuple(r[i] for i in idx)] == 1 and also(dict(zip(header, r, strict=True)))
    )


def test_no_preferred_claim(pkg: Path) -> None:
    row = single_claim_row(pkg, "market_caps", ["company_id", "date"])
    line, column = set_cell(pkg, "market_caps", row, "preferred", "false")
    assert_only(problems(pkg), "data/market_caps.csv", line, {(column, "one-preferred")})


def test_two_preferred_claims(pkg: Path) -> None:
    preferred = find_row(pkg, "listings", lambda r: r["company_id"] == "zhipu" and r["preferred"] == "true")
    row = find_row(pkg, "listings", lambda r: r["company_id"] == "zhipu" and r["preferred"] == "false")
    line, column = set_cell(pkg, "listings", row, "preferred", "true")
    found = problems(pkg)
    assert {(p.line, p.column, p.rule) for p in found} == {
        (line, column, "one-preferred"),
        (preferred + 2, column, "one-preferred"),
    }


def plant_round(pkg: Path, pre: str, amount: str, post: str) -> tuple[int, int]:
    """Give the first round claim a pre-money, an amount and a post-money, each quoted in its evidence."""
    for field, value in {
        "pre_money_valuation": pre,
        "amount": amount,
        "amount_basis": "reported",
        "valuation": "",
        "valuation_basis": "reported",
        "evidence": f"It raised {amount} at a pre-money valuation of {pre} and a post-money valuation of {post}.",
    }.items():
        set_cell(pkg, "funding_rounds", 0, field, value)
    return set_cell(pkg, "funding_rounds", 0, "post_money_valuation", post)


def test_valuation_sum(pkg: Path) -> None:
    line, column = plant_round(pkg, "1000000000", "100000000", "1200000000")
    assert_only(problems(pkg), "data/funding_rounds.csv", line, {(column, "valuation-sum")})


def test_valuation_sum_within_one_percent_passes(pkg: Path) -> None:
    plant_round(pkg, "1000000000", "100000000", "1105000000")
    assert problems(pkg) == []


def test_value_without_an_excerpt_is_rejected_at_its_cell(pkg: Path) -> None:
    # A context length that no excerpt of the claim's evidence writes.
    row = find_row(pkg, "model_releases", lambda r: r["context_length"] != "")
    line, column = set_cell(pkg, "model_releases", row, "context_length", "777777")
    assert_only(problems(pkg), "data/model_releases.csv", line, {(column, "value-quoted")})


def test_several_excerpts_each_at_most_280_characters(pkg: Path) -> None:
    row = find_row(pkg, "companies", lambda r: True)
    header, rows = read_rows(pkg / "data" / "companies.csv")
    evidence = rows[row][header.index("evidence")]
    set_cell(pkg, "companies", row, "evidence", evidence + " … " + "y" * 280)  # two excerpts, both short enough
    assert problems(pkg) == []
    line, column = set_cell(pkg, "companies", row, "evidence", evidence + " … " + "y" * 281)
    assert_only(problems(pkg), "data/companies.csv", line, {(column, "evidence-excerpt")})


def test_excerpts_are_measured_in_characters_not_bytes(pkg: Path) -> None:
    # 280 Chinese characters are 840 bytes in UTF-8: within the limit; 281 are not.
    row = find_row(pkg, "companies", lambda r: True)
    header, rows = read_rows(pkg / "data" / "companies.csv")
    evidence = rows[row][header.index("evidence")]
    set_cell(pkg, "companies", row, "evidence", evidence + " … " + "融" * 280)
    assert problems(pkg) == []
    line, column = set_cell(pkg, "companies", row, "evidence", "融" * 281 + " … " + evidence)
    assert_only(problems(pkg), "data/companies.csv", line, {(column, "evidence-excerpt")})


def test_basis_is_given_with_its_value(pkg: Path) -> None:
    row = find_row(pkg, "funding_rounds", lambda r: r["amount"] != "" and r["valuation_basis"] == "")
    line, column = set_cell(pkg, "funding_rounds", row, "amount_basis", "")
    assert_only(problems(pkg), "data/funding_rounds.csv", line, {(column, "basis-given")})
    set_cell(pkg, "funding_rounds", row, "amount_basis", "reported")
    line, column = set_cell(pkg, "funding_rounds", row, "valuation_basis", "estimate")
    assert_only(problems(pkg), "data/funding_rounds.csv", line, {(column, "basis-given")})


def test_period_order(pkg: Path) -> None:
    # A single, preferred claim: moving its period_start moves it to a fact key of its own.
    key = ["company_id", "metric", "period_start", "period_end"]
    row = single_claim_row(pkg, "financials", key, lambda r: r["period_end"] == "2024-12-31")
    line, column = set_cell(pkg, "financials", row, "period_start", "2025-01-01")
    assert_only(problems(pkg), "data/financials.csv", line, {(column, "period-order")})


def test_event_in_founding_year_passes_at_year_precision(pkg: Path) -> None:
    # Zhipu's founding is known to the year only: any day of that year is not "before" it.
    row = find_row(pkg, "funding_rounds", lambda r: r["company_id"] == "zhipu" and r["date_precision"] == "day")
    set_cell(pkg, "funding_rounds", row, "announced_date", "2019-01-02")
    assert problems(pkg) == []


def test_market_cap_before_listing(pkg: Path) -> None:
    row = find_row(pkg, "market_caps", lambda r: r["company_id"] == "zhipu")
    line, column = set_cell(pkg, "market_caps", row, "date", "2025-12-31")
    assert ("data/market_caps.csv", line, column, "market-cap-listing") in {
        (p.file, p.line, p.column, p.rule) for p in problems(pkg)
    }


def test_market_cap_of_unlisted_company(pkg: Path) -> None:
    # A claim dated after DeepSeek's founding, so that only the listing rule is broken.
    row = single_claim_row(pkg, "market_caps", ["company_id", "date"], lambda r: r["date"] >= "2024-01-01")
    line, column = set_cell(pkg, "market_caps", row, "company_id", "deepseek")
    assert_only(problems(pkg), "data/market_caps.csv", line, {(column, "market-cap-listing")})


def test_unused_source(pkg: Path) -> None:
    line = append_copy(pkg, "sources", 0, source_id="zz-unused-source")
    assert_only(problems(pkg), "data/sources.csv", line, {(1, "source-used")})


def test_sources_cited_by_a_table_without_its_foreign_key_are_used(pkg: Path) -> None:
    # source-used reads the citations each foreign-key check matched; a table whose schema declares no
    # foreign key to sources still cites the sources in its source_id column.
    path = pkg / "schemas" / "funding_rounds.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["foreignKeys"] = [fk for fk in schema["foreignKeys"] if fk["reference"]["resource"] != "sources"]
    path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    cited: dict[str, set[str]] = {}
    for table in pkg.glob("data/*.csv"):
        header, rows = read_rows(table)
        if "source_id" in header and table.stem != "sources":
            cited[table.stem] = {row[header.index("source_id")] for row in rows}
    others = set().union(*(ids for name, ids in cited.items() if name != "funding_rounds"))
    assert cited["funding_rounds"] - others  # sources that only the rounds cite: they must count as used
    line = append_copy(pkg, "sources", 0, source_id="zz-unused-source")
    unused = [p for p in problems(pkg) if p.rule == "source-used"]
    assert [(p.file, p.line) for p in unused] == [("data/sources.csv", line)]


def test_model_id_must_start_with_company(pkg: Path) -> None:
    # A model no other table refers to: renaming it breaks only its own prefix.
    referred = {
        r[0]
        for t in ("model_prices", "model_lifecycle", "model_identifiers")
        for r in read_rows(pkg / "data" / f"{t}.csv")[1]
    }
    row = find_row(pkg, "model_releases", lambda r: r["model_id"] not in referred)
    header, rows = read_rows(pkg / "data" / "model_releases.csv")
    model = rows[row][header.index("model_id")]
    for n, r in enumerate(rows):  # move every claim of the model so only the prefix is wrong
        if r[header.index("model_id")] == model:
            set_cell(pkg, "model_releases", n, "model_id", "openai/" + model.split("/", 1)[1])
    found = problems(pkg)
    assert {p.rule for p in found} == {"model-id"}
    assert all(p.column == 1 for p in found)


def test_parent_is_self(pkg: Path) -> None:
    line, column = set_cell(
        pkg, "companies", 0, "parent_company_id", read_rows(pkg / "data" / "companies.csv")[1][0][0]
    )
    assert_only(problems(pkg), "data/companies.csv", line, {(column, "parent-self")})


def test_ragged_row(pkg: Path) -> None:
    path = pkg / "data" / "investors.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "extra-investor,Extra,,other\n", encoding="utf-8")
    line = text.count("\n") + 1
    assert_only(problems(pkg), "data/investors.csv", line, {(5, "row-width")})


def test_quoted_newline(pkg: Path) -> None:
    line, column = set_cell(pkg, "companies", 0, "hq_city", "Bei\njing")
    found = problems(pkg)
    assert ("data/companies.csv", line, column, "line-break") in {(p.file, p.line, p.column, p.rule) for p in found}


def test_deprecated_claim_is_never_preferred(pkg: Path) -> None:
    preferred = find_row(pkg, "listings", lambda r: r["company_id"] == "zhipu" and r["preferred"] == "true")
    other = find_row(pkg, "listings", lambda r: r["company_id"] == "zhipu" and r["preferred"] == "false")
    set_cell(pkg, "listings", other, "preferred", "true")  # the fact's one preferred claim in good standing
    line, _ = set_cell(pkg, "listings", preferred, "deprecation_reason", "contradicted by the prospectus")
    column = read_rows(pkg / "data" / "listings.csv")[0].index("preferred") + 1
    assert_only(problems(pkg), "data/listings.csv", line, {(column, "deprecated")})


def test_deprecated_claims_do_not_count_for_one_preferred(pkg: Path) -> None:
    other = find_row(pkg, "listings", lambda r: r["company_id"] == "zhipu" and r["preferred"] == "false")
    set_cell(pkg, "listings", other, "deprecation_reason", "a typo: a later source gives the right date")
    assert problems(pkg) == []


def test_every_fact_needs_its_fact_required_fields(pkg: Path) -> None:
    # A company's kind may be left out of a claim, but one claim in good standing must state it.
    row = single_claim_row(pkg, "companies", ["company_id"])
    line, column = set_cell(pkg, "companies", row, "kind", "")
    assert_only(problems(pkg), "data/companies.csv", line, {(column, "fact-complete")})


HIDDEN_CHARACTERS = ["\x00", "\x07", "\x1b", "\x85", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff"]


@pytest.mark.parametrize("char", HIDDEN_CHARACTERS, ids=lambda c: f"U+{ord(c):04X}")
def test_hidden_characters_are_named_at_their_cell(pkg: Path, char: str) -> None:
    row = find_row(pkg, "companies", lambda r: r["hq_city"] != "")
    header, rows = read_rows(pkg / "data" / "companies.csv")
    city = rows[row][header.index("hq_city")]
    line, column = set_cell(pkg, "companies", row, "hq_city", city[:2] + char + city[2:])
    found = problems(pkg)
    assert_only(found, "data/companies.csv", line, {(column, "hidden-character")})
    assert f"U+{ord(char):04X}" in found[0].message and "at character 3" in found[0].message


def test_parent_company_cycle(pkg: Path) -> None:
    header, rows = read_rows(pkg / "data" / "companies.csv")
    a = next(i for i, r in enumerate(rows) if r[header.index("parent_company_id")] == "")
    b = next(
        i for i, r in enumerate(rows) if r[header.index("parent_company_id")] == "" and r[0] != rows[a][0] and i != a
    )
    line_a, column = set_cell(pkg, "companies", a, "parent_company_id", rows[b][0])
    line_b, _ = set_cell(pkg, "companies", b, "parent_company_id", rows[a][0])
    found = {(p.file, p.line, p.column, p.rule) for p in problems(pkg)}
    assert found == {
        ("data/companies.csv", line_a, column, "parent-cycle"),
        ("data/companies.csv", line_b, column, "parent-cycle"),
    }


def test_two_resources_with_one_name(pkg: Path) -> None:
    import json

    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"].append(dict(descriptor["resources"][1]))
    path.write_text(json.dumps(descriptor), encoding="utf-8")
    found = {(p.file, p.rule, p.value) for p in problems(pkg)}
    assert ("datapackage.json", "resource-name", descriptor["resources"][1]["name"]) in found
