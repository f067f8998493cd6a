"""Derived tables: conversions checked by hand against the ECB file, staleness, traceability."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import ai_labs_data
from ai_labs_data.cli import main
from ai_labs_data.jobs import build
from ai_labs_data.jobs import derived_tables as derive

from helpers import append_copy, find_row, problems, read_rows, set_cell


def ecb_rows() -> dict[str, dict[str, str]]:
    """The ECB history as published, read with nothing but csv: {date: {currency: units per euro}}."""
    data = resources.files("currency_converter").joinpath("eurofxref-hist.zip").read_bytes()
    text = zipfile.ZipFile(io.BytesIO(data)).read("eurofxref-hist.csv").decode("utf-8")
    return {row["Date"]: row for row in csv.DictReader(io.StringIO(text))}


ECB = ecb_rows()


def usd_per(currency: str, day: str) -> float:
    return float(ECB[day]["USD"]) / float(ECB[day][currency])


@pytest.fixture(scope="module")
def derived(repo: Path) -> dict[str, pd.DataFrame]:
    return derive(repo)


def test_market_cap_on_a_business_day(derived: dict[str, pd.DataFrame]) -> None:
    v = derived["valuations"].set_index("valuation_id").loc["market_cap:minimax:2026-01-09"]
    assert v["rate_date"] == pd.Timestamp("2026-01-09")
    assert v["usd_per_unit"] == pytest.approx(usd_per("HKD", "2026-01-09"), rel=1e-11)
    assert v["usd_value"] == round(v["value"] * usd_per("HKD", "2026-01-09"))


def test_weekend_uses_latest_earlier_business_day_and_past_ecb_data_is_empty(pkg: Path) -> None:
    row = find_row(pkg, "market_caps", lambda r: r["company_id"] == "zhipu" and r["date"] == "2026-06-24")
    append_copy(pkg, "market_caps", row, date="2026-06-27", market_cap="100")  # a Saturday
    append_copy(pkg, "market_caps", row, date="2026-11-20", market_cap="200")  # past the ECB data
    vals = derive(pkg)["valuations"].set_index("valuation_id")
    saturday = vals.loc["market_cap:zhipu:2026-06-27"]
    assert saturday["rate_date"] == pd.Timestamp("2026-06-26")
    assert saturday["usd_per_unit"] == pytest.approx(usd_per("HKD", "2026-06-26"), rel=1e-11)
    late = vals.loc["market_cap:zhipu:2026-11-20"]
    assert pd.isna(late["usd_value"]) and pd.isna(late["usd_per_unit"])
    assert late["note"] == "after the last ECB rate (2026-10-30)"


def test_period_figure_uses_the_average_rate(derived: dict[str, pd.DataFrame]) -> None:
    days = [d for d in ECB if d.startswith("2024-")]
    expected = sum(usd_per("CNY", d) for d in days) / len(days)
    fin = derived["financials_usd"]
    row = fin[(fin["company_id"] == "zhipu") & (fin["metric"] == "revenue") & (fin["period_end"] == "2024-12-31")]
    row = row.iloc[0]
    assert row["rate_days"] == len(days)
    assert row["usd_per_unit"] == pytest.approx(expected, rel=1e-11)
    assert row["usd_value"] == round(312_400_000 * row["usd_per_unit"])


def test_usd_needs_no_rate(derived: dict[str, pd.DataFrame]) -> None:
    fin = derived["financials_usd"]
    openai = fin[(fin["company_id"] == "openai") & (fin["metric"] == "revenue")].iloc[0]
    assert openai["usd_value"] == openai["value"] and openai["usd_per_unit"] == 1


def test_fx_rates_table_matches_ecb(derived: dict[str, pd.DataFrame]) -> None:
    fx = derived["fx_rates"]
    assert {"CNY", "HKD"} <= set(fx["currency"]) and "USD" not in set(fx["currency"])
    row = fx[(fx["currency"] == "CNY") & (fx["date"] == pd.Timestamp("2025-03-03"))].iloc[0]
    assert row["units_per_eur"] == float(ECB["2025-03-03"]["CNY"])
    assert row["usd_per_unit"] == pytest.approx(usd_per("CNY", "2025-03-03"), rel=1e-11)
    assert fx.duplicated(["date", "currency"]).sum() == 0


def test_every_derived_row_traces_to_curated_claims(repo: Path, derived: dict[str, pd.DataFrame]) -> None:
    rounds = ai_labs_data.load("funding_rounds", claims="all", root=repo)
    caps = ai_labs_data.load("market_caps", claims="all", root=repo)
    for v in derived["valuations"].itertuples():
        if v.source_table == "funding_rounds":
            claim = rounds[(rounds["round_id"] == v.source_key) & (rounds["source_id"] == v.source_id)]
        else:
            company, day = v.source_key.split("|")
            claim = caps[(caps["company_id"] == company) & (caps["date"] == day) & (caps["source_id"] == v.source_id)]
        assert len(claim) == 1, v.valuation_id
    fin = ai_labs_data.load("financials", claims="all", root=repo)
    keys = ["company_id", "metric", "period_start", "period_end", "source_id", "value"]
    merged = derived["financials_usd"].merge(fin.astype({"metric": "string"}), on=keys, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    every = ai_labs_data.load("companies", root=repo)
    assert sorted(derived["company_summary"]["company_id"]) == sorted(every["company_id"])
    assert (derived["disputes"]["claims"] >= 2).all()


def test_company_summary_answers_valuation_and_multiple(repo: Path) -> None:
    summary = ai_labs_data.load("company_summary", root=repo).set_index("company_id")
    fin = ai_labs_data.load("financials_usd", root=repo)
    forecasts = fin[(fin["basis"] == "forecast") & (fin["metric"] == "revenue")]
    assert len(forecasts) > 0
    for f in forecasts.itertuples():  # the latest annual revenue is an actual figure, never a forecast
        assert summary.loc[f.company_id, "revenue_fy_end"] != f.period_end or pd.isna(
            summary.loc[f.company_id, "revenue_fy_end"]
        )
    zhipu = summary.loc["zhipu"]
    assert zhipu["latest_valuation_kind"] == "market_cap"
    assert zhipu["valuation_to_revenue"] == round(zhipu["latest_valuation_usd"] / zhipu["revenue_fy_usd"], 1)


def test_build_is_deterministic_and_check_detects_staleness(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    curated = {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}
    row = find_row(pkg, "market_caps", lambda r: r["company_id"] == "zhipu" and r["date"] == "2026-06-24")
    set_cell(pkg, "market_caps", row, "market_cap", "975000000001")
    assert main(["build", str(pkg), "--check"]) == 1
    assert "stale: data/derived/valuations.csv" in capsys.readouterr().out
    first = build(pkg).written
    assert "data/derived/valuations.csv" in first
    snapshot = {p: p.read_bytes() for p in (pkg / "data" / "derived").glob("*.csv")}
    assert build(pkg).written == []
    assert snapshot == {p: p.read_bytes() for p in (pkg / "data" / "derived").glob("*.csv")}
    curated[pkg / "data" / "market_caps.csv"] = (pkg / "data" / "market_caps.csv").read_bytes()
    assert curated == {p: p.read_bytes() for p in (pkg / "data").glob("*.csv")}  # the build never writes curated files


def test_validator_reports_stale_derived_tables(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ai_labs_data.publish.figures as figures

    def no_drawing(*args, **kwargs):
        raise AssertionError("freshness must never draw a figure")

    monkeypatch.setattr(figures, "draw_figures", no_drawing)
    assert problems(pkg, freshness=True) == []
    path = pkg / "data" / "derived" / "company_summary.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if ",public," in line)
    lines[n] = lines[n].replace(",public,", ",private,", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    column = lines[0].split(",").index("status") + 1
    found = [(p.file, p.line, p.column, p.rule, p.value) for p in problems(pkg, freshness=True)]
    assert found == [("data/derived/company_summary.csv", n + 1, column, "freshness", "private")]


def test_an_unbuilt_data_change_is_stale_at_its_derived_cells(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ai_labs_data.publish.figures as figures

    monkeypatch.setattr(figures, "draw_figures", lambda *a, **k: pytest.fail("freshness drew a figure"))
    header, rows = read_rows(pkg / "data" / "market_caps.csv")
    counts = Counter((r[0], r[1]) for r in rows)  # company_id, date: a fact stated by one claim only
    row = next(i for i, r in enumerate(rows) if counts[(r[0], r[1])] == 1 and r[header.index("evidence")])
    old = rows[row][header.index("market_cap")]
    evidence = rows[row][header.index("evidence")]
    set_cell(pkg, "market_caps", row, "market_cap", old + "0")  # ten times: its digits are still quoted
    assert problems(pkg) == [] and evidence
    found = problems(pkg, freshness=True)
    valuations = [p for p in found if p.file == "data/derived/valuations.csv"]
    assert len(valuations) == 1 and valuations[0].field == "value" and valuations[0].value == old
    assert ("data/derived/build-manifest.json", "freshness") in {(p.file, p.rule) for p in found}


def test_data_dictionary_documents_every_table_and_field(repo: Path) -> None:
    text = (repo / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for table in ai_labs_data.tables(root=repo):
        assert f"\n## {table}\n" in text
        for f in ai_labs_data.schema(table, root=repo).fields:
            assert f"| `{f.name}` | {f.type} |" in text, (table, f.name)
    assert f"data cut-off {json.loads((repo / 'datapackage.json').read_text())['data_cutoff']}" in text


def test_figures_are_generated_pngs(repo: Path) -> None:
    from ai_labs_data.jobs import generate

    files = generate(repo)
    figures = sorted(k for k in files if k.startswith("docs/figures/"))
    assert figures == [
        "docs/figures/cheapest_output_price.png",
        "docs/figures/funding_by_year_country.png",
        "docs/figures/listed_market_caps_usd.png",
        "docs/figures/releases_per_quarter.png",
        "docs/figures/valuation_over_time.png",
        "docs/figures/valuation_revenue_multiples.png",
        "docs/figures/zhipu_vs_minimax_market_cap.png",
    ]
    for name in figures:
        assert files[name].startswith(b"\x89PNG\r\n\x1a\n")
        assert files[name] == (repo / name).read_bytes()
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert all(f"]({name})" in readme for name in figures)


def test_funding_total_excludes_secondary_sales(repo: Path) -> None:
    from ai_labs_data.derive.inputs import Inputs
    from ai_labs_data.derive.summary import rounds_in_usd
    from ai_labs_data.package import open_package

    inputs = Inputs(open_package(repo))
    rounds = rounds_in_usd(inputs.facts("funding_rounds"), inputs.facts("companies").facts, inputs.rates)
    secondary = rounds[rounds["round_type"].isin(["secondary", "tender_offer"])]
    assert len(secondary) > 0 and secondary["amount_usd"].isna().all()
    summary = inputs.derived("company_summary").set_index("company_id")
    for company, group in rounds.dropna(subset=["amount_usd"]).groupby("company_id"):
        assert summary.loc[company, "funding_total_usd"] == int(group["amount_usd"].sum())


def test_build_does_nothing_when_nothing_changed(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ai_labs_data.jobs as jobs

    monkeypatch.setattr(jobs, "run_job", lambda *a, **k: pytest.fail("rebuilt with nothing changed"))
    assert build(pkg).written == []
    monkeypatch.undo()
    path = pkg / "data" / "derived" / "valuations.csv"
    path.write_bytes(path.read_bytes() + b"\n")  # a derived file touched by hand is rebuilt
    result = build(pkg)
    assert result.written == ["data/derived/valuations.csv"] and result.ran == ["valuations"]
