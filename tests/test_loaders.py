"""Loaders return typed frames from the Table Schemas and write back byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ai_labs_data
from ai_labs_data.tableschema import TableSchema

from helpers import set_cell

CURATED = [
    "sources",
    "companies",
    "investors",
    "funding_rounds",
    "round_investors",
    "listings",
    "financials",
    "model_releases",
    "market_caps",
    "model_prices",
    "model_lifecycle",
    "model_identifiers",
    "company_identifiers",
]
DERIVED = [
    "fx_rates",
    "valuations",
    "financials_usd",
    "company_summary",
    "disputes",
    "price_history",
    "cross_references",
]
TABLES = CURATED + DERIVED


def test_tables_and_paths(repo: Path) -> None:
    assert ai_labs_data.tables(root=repo) == TABLES
    assert ai_labs_data.tables(root=repo, derived=False) == CURATED
    assert ai_labs_data.path("companies", root=repo) == repo / "data" / "companies.csv"
    with pytest.raises(KeyError, match="unknown table 'rounds'"):
        ai_labs_data.load("rounds", root=repo)


def test_version_matches_datapackage(repo: Path) -> None:
    import json

    assert json.loads((repo / "datapackage.json").read_text())["version"] == ai_labs_data.__version__


@pytest.mark.parametrize("table", TABLES)
def test_dtypes_follow_schema(repo: Path, table: str) -> None:
    df = ai_labs_data.load(table, claims="all", root=repo)
    schema = TableSchema.read(repo / "schemas" / f"{table}.json")
    assert list(df.columns) == schema.names
    for f in schema.fields:
        dtype = df[f.name].dtype
        if f.type == "date":
            assert pd.api.types.is_datetime64_dtype(dtype), f.name
        elif f.type == "integer":
            assert dtype == pd.Int64Dtype(), f.name
        elif f.type == "number":
            assert dtype == pd.Float64Dtype(), f.name
        elif f.type == "boolean":
            assert dtype == pd.BooleanDtype(), f.name
        elif f.enum is not None:
            assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == f.enum, f.name
        else:
            assert dtype == pd.StringDtype(), f.name


def test_typed_values(repo: Path) -> None:
    caps = ai_labs_data.load("market_caps", root=repo)
    row = caps[(caps["company_id"] == "zhipu") & (caps["date"] == pd.Timestamp("2026-06-24"))].iloc[0]
    assert row["market_cap"] == 975_000_000_000 and row["currency"] == "HKD"
    assert pd.isna(row["share_price"])  # optional numbers load as missing, not 0 or ""
    fin = ai_labs_data.load("financials", root=repo)
    loss = fin[(fin["company_id"] == "zhipu") & (fin["metric"] == "net_income") & (fin["period_end"] == "2025-12-31")]
    assert loss["value"].tolist() == [-4_718_000_000]


def test_resolved_facts_and_all_claims(repo: Path) -> None:
    every = ai_labs_data.load("listings", claims="all", root=repo)
    facts = ai_labs_data.load("listings", root=repo)
    assert len(every) > len(facts) == every.groupby(["company_id", "exchange"], observed=True).ngroups
    # The resolved view carries values, not the claims' bookkeeping: provenance says where each comes from.
    assert not {"source_id", "evidence", "preferred", "deprecation_reason"} & set(facts.columns)
    assert list(facts.columns) == ai_labs_data.schema("listings", root=repo).resolved().names
    with pytest.raises(ValueError, match="claims must be"):
        ai_labs_data.load("listings", claims="best", root=repo)  # type: ignore[arg-type]


@pytest.mark.parametrize("table", TABLES)
def test_load_write_round_trip_is_byte_identical(repo: Path, table: str) -> None:
    df = ai_labs_data.load(table, claims="all", root=repo)
    assert ai_labs_data.to_csv(df, table, root=repo).encode("utf-8") == ai_labs_data.path(table, root=repo).read_bytes()


def test_load_all(repo: Path) -> None:
    frames = ai_labs_data.load_all(root=repo)
    assert list(frames) == TABLES
    assert all(len(df) > 0 for df in frames.values())


def test_bad_cell_raises_located_error(pkg: Path) -> None:
    line, _ = set_cell(pkg, "companies", 0, "founded_date", "2019-13-01")
    with pytest.raises(ai_labs_data.DataError, match=f"data/companies.csv:{line}: founded_date"):
        ai_labs_data.load("companies", root=pkg)


def test_import_is_light() -> None:
    code = (
        "import sys, ai_labs_data; ai_labs_data.load('companies');"
        "heavy = [m for m in ('pandera', 'frictionless') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _readme_loading_code(repo: Path) -> str:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Loading\n", 1)[1]
    return section.split("```python\n", 1)[1].split("\n```", 1)[0]


def test_readme_recipes_answer_their_questions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's loading example runs as written on the real package, and its recipes answer the
    questions their comments ask."""
    monkeypatch.setenv("AI_LABS_DATA_ROOT", str(repo))
    names: dict = {}
    exec(compile(_readme_loading_code(repo), "README.md", "exec"), names)

    china = set(names["china"])
    latest = names["latest"]
    assert latest.company_id.is_unique and set(latest.company_id) <= china
    assert latest.date.notna().all()
    values = names["values"]
    for row in latest.itertuples():  # no dated valuation of the company is later
        assert values.loc[values.company_id == row.company_id, "date"].max() == row.date

    large = names["large"]
    assert len(large) and (large.params_total > 100e9).all() and large.open_weights.all()
    assert (large.release_date.dt.year == 2025).all()
    r1 = large.set_index("model_id").loc["deepseek/deepseek-r1"]
    assert r1.license == "MIT"

    month_end = names["month_end"]
    caps = names["caps"]
    assert month_end.index.is_month_end.all() and month_end.index.is_monotonic_increasing
    january = caps.loc["2026-01"].market_cap
    assert month_end.loc["2026-01-31"] == january.iloc[-1]
    assert month_end.notna().sum() == caps.index.to_period("M").nunique()
