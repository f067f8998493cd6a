"""Facts resolved field by field from real claim files: order, deprecation, provenance, disputes, show."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import ai_labs_data
from ai_labs_data.cli import main
from ai_labs_data.jobs import derived_tables as derive
from ai_labs_data.resolve import key_text

from helpers import problems, read_rows, write_rows

MODEL = "zhipu/zz-resolution-test"


def add_rows(root: Path, table: str, *rows: dict[str, str]) -> None:
    """Append rows given as {field: text}; fields not named are empty."""
    path = root / "data" / f"{table}.csv"
    header, existing = read_rows(path)
    write_rows(path, header, existing + [[row.get(h, "") for h in header] for row in rows])


def source(source_id: str, source_type: str, published: str) -> dict[str, str]:
    return {
        "source_id": source_id,
        "url": f"https://example.org/{source_id}",
        "publisher": "Example",
        "published_date": published,
        "accessed_date": "2026-11-25",
        "language": "en",
        "source_type": source_type,
    }


MODEL_FACT = {"model_id": MODEL, "company_id": "zhipu", "name": "ZZ Test"}
ROUND_FACT = {
    "round_id": "zhipu-zz-planted-round",
    "company_id": "zhipu",
    "round_label": "Series Z",
    "round_type": "series_unknown",
    "status": "closed",
    "announced_date": "2025-09-09",
    "date_precision": "day",
}


def claim(source_id: str, preferred: bool, evidence: str, fact: dict[str, str] = MODEL_FACT, **values: str) -> dict:
    """One source's claim about `fact` (the planted model unless told otherwise), as CSV text."""
    return {
        **fact,
        "source_id": source_id,
        "evidence": evidence,
        "preferred": "true" if preferred else "false",
        **values,
    }


@pytest.fixture
def model(pkg: Path) -> Path:
    """One model with claims from five sources of different tiers and dates (all valid)."""
    add_rows(
        pkg,
        "sources",
        source("zz-official-2024", "official", "2024-01-01"),
        source("zz-aggregator-2025", "aggregator", "2025-01-01"),
        source("zz-press-newer", "press", "2024-06-01"),
        source("zz-press-older", "press", "2024-03-01"),
        source("zz-press-same-day", "press", "2024-06-01"),
        source("zz-filing-wrong", "filing", "2026-01-01"),
    )
    add_rows(
        pkg,
        "model_releases",
        claim("zz-official-2024", False, "Context Length | 128K", context_length="128000"),
        claim(
            "zz-aggregator-2025",
            True,
            "Released on 1 May 2024 with a 64K context and open weights.",
            context_length="64000",
            release_date="2024-05-01",
            date_precision="day",
            open_weights="true",
        ),
        claim("zz-press-newer", False, "It came out on 2 May 2024.", release_date="2024-05-02", date_precision="day"),
        claim("zz-press-older", False, "It came out on 3 May 2024.", release_date="2024-05-03", date_precision="day"),
        claim(
            "zz-press-same-day",
            False,
            "A 9B model, it has 9 billion parameters.",
            params_total="9000000000",
        ),
        {
            **claim("zz-filing-wrong", False, "It was released in 2030.", release_date="2030-01-01"),
            "date_precision": "year",
            "deprecation_reason": "a typo: the maker's own page gives 2024",
        },
    )
    assert problems(pkg) == []
    return pkg


def fact(root: Path) -> pd.Series:
    facts = ai_labs_data.load("model_releases", root=root)
    return facts[facts["model_id"] == MODEL].iloc[0]


def test_tier_beats_recency_beats_preferred(model: Path) -> None:
    shown = fact(model)
    # The official claim is older and not preferred, but its tier wins.
    assert shown["context_length"] == 128000
    # No official claim states a date: among the press claims (a better tier than the preferred
    # aggregator) the newer source wins; the deprecated filing never does.
    assert shown["release_date"] == pd.Timestamp("2024-05-02")
    # A field only the aggregator states comes from it: each field from the best claim stating it.
    assert bool(shown["open_weights"]) is True


def test_preferred_breaks_a_tie_of_tier_and_date(model: Path) -> None:
    path = model / "data" / "model_releases.csv"
    header, rows = read_rows(path)
    for row in rows:
        if row[0] == MODEL and row[1] == "zz-press-same-day":
            row[header.index("release_date")] = "2024-05-04"
            row[header.index("date_precision")] = "day"
            row[header.index("evidence")] += " … It came out on 4 May 2024."
        if row[0] == MODEL:  # make the same-day press claim the preferred one
            row[header.index("preferred")] = "true" if row[1] == "zz-press-same-day" else "false"
    write_rows(path, header, rows)
    assert fact(model)["release_date"] == pd.Timestamp("2024-05-04")


def test_a_deprecated_claim_never_wins_and_is_listed_by_show(model: Path, capsys: pytest.CaptureFixture) -> None:
    prov = ai_labs_data.provenance("model_releases", root=model)
    assert "zz-filing-wrong" not in set(prov.loc[prov["fact_key"] == MODEL, "source_id"])
    assert main(["show", MODEL, str(model)]) == 0
    out = capsys.readouterr().out
    assert "deprecated claim by zz-filing-wrong: a typo: the maker's own page gives 2024" in out
    assert "context_length = 128000" in out and "“Context Length | 128K”" in out
    assert "context_length = 64000  by zz-aggregator-2025 (tier 5)" in out  # the competing value


def test_show_suggests_near_misses(model: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["show", "zhipu/zz-resolution-tset", str(model)]) == 1
    assert "did you mean: zhipu/zz-resolution-test" in capsys.readouterr().err


def test_provenance_of_one_fact_field_by_field(model: Path) -> None:
    prov = ai_labs_data.provenance("model_releases", root=model)
    mine = prov[prov["fact_key"] == MODEL].set_index("field")
    assert mine.loc["context_length", ["value", "source_id", "tier"]].tolist() == ["128000", "zz-official-2024", 2]
    assert mine.loc["release_date", "source_id"] == mine.loc["date_precision", "source_id"] == "zz-press-newer"
    assert mine.loc["params_total", "evidence"] == "A 9B model, it has 9 billion parameters."
    assert "params_active" not in mine.index  # nothing is shown that no claim states


@pytest.mark.parametrize("table", ["companies", "funding_rounds", "listings", "financials", "model_releases"])
def test_every_shown_value_is_stated_by_a_claim_of_its_fact(repo: Path, table: str) -> None:
    ts = ai_labs_data.schema(table, root=repo)
    facts = ai_labs_data.load(table, root=repo)
    claims = ai_labs_data.load(table, claims="all", root=repo)
    prov = ai_labs_data.provenance(table, root=repo)
    shown = facts.melt(id_vars=ts.fact_key, var_name="_field", value_name="_value").dropna(subset=["_value"])
    assert len(prov) == len(shown)  # one provenance row per shown value, no more
    good = claims[claims["deprecation_reason"].isna()]
    # Every shown value, beside the value its cited claim states for that field: they are the same.
    stated = good.assign(fact_key=key_text(good, ts.fact_key)).melt(
        id_vars=["fact_key", "source_id"], value_vars=ts.value_fields, var_name="field", value_name="stated"
    )
    shown = shown.assign(fact_key=key_text(shown, ts.fact_key)).rename(columns={"_field": "field"})
    joined = prov.merge(stated, on=["fact_key", "field", "source_id"], how="left").merge(
        shown[["fact_key", "field", "_value"]], on=["fact_key", "field"], how="left"
    )
    assert len(joined) == len(prov)
    differ = joined[[a != b for a, b in zip(joined["stated"], joined["_value"], strict=True)]]
    assert differ.empty, differ[["fact_key", "field", "source_id", "stated", "_value"]].head().to_string()


def round_claim(source_id: str, preferred: bool, evidence: str, **values: str) -> dict[str, str]:
    return claim(source_id, preferred, evidence, ROUND_FACT, **values)


def test_disputes_compare_money_in_one_currency_and_never_pre_with_post(pkg: Path) -> None:
    add_rows(
        pkg,
        "sources",
        source("zz-euro", "official", "2025-09-09"),
        source("zz-dollar", "press", "2025-09-10"),
        source("zz-other", "press", "2025-09-11"),
    )
    add_rows(
        pkg,
        "funding_rounds",
        # The same valuation in euros and (converted by the source) in dollars: not a dispute.
        round_claim(
            "zz-euro",
            True,
            "It raised 1.7 billion euros at an 11.7 billion-euro valuation.",
            amount="1700000000",
            amount_basis="reported",
            valuation="11700000000",
            valuation_basis="reported",
            currency="EUR",
        ),
        round_claim(
            "zz-dollar",
            False,
            "It raised $2 billion at a valuation of $13.7 billion; pre-money it was worth $12 billion.",
            amount="2000000000",
            amount_basis="reported",
            valuation="13700000000",
            pre_money_valuation="12000000000",
            valuation_basis="reported",
            currency="USD",
        ),
        # A post-money figure far from the others: never compared with a pre-money or an unqualified one.
        round_claim(
            "zz-other",
            False,
            "After the round it was valued at $30 billion, on raising $3 billion.",
            post_money_valuation="30000000000",
            amount="3000000000",
            amount_basis="reported",
            valuation_basis="reported",
            currency="USD",
        ),
    )
    assert problems(pkg) == []
    disputes = derive(pkg)["disputes"]
    mine = disputes[disputes["fact_key"] == "zhipu-zz-planted-round"].set_index("field")
    assert "valuation" not in mine.index
    assert "pre_money_valuation" not in mine.index and "post_money_valuation" not in mine.index
    amount = mine.loc["amount"]  # 1.7bn euros (about 2.0bn dollars) vs 2bn vs 3bn dollars
    assert amount["compared_in"] == "USD" and amount["claims"] == 3
    assert amount["values"].startswith("zz-euro (tier 2): 1700000000 EUR; zz-other (tier 3): 3000000000 USD")
    assert amount["shown_value"] == "1700000000" and amount["shown_source_id"] == "zz-euro"


def test_summary_counts_what_it_cannot_date(repo: Path) -> None:
    summary = ai_labs_data.load("company_summary", root=repo).set_index("company_id")
    valuations = ai_labs_data.load("valuations", root=repo)
    undated = valuations[valuations["date"].isna()].groupby("company_id").size()
    for company, n in undated.items():
        assert summary.loc[company, "undated_valuations"] == n
    rounds = ai_labs_data.load("funding_rounds", root=repo)
    usd = rounds[(rounds["currency"] == "USD") & ~rounds["round_type"].isin(["secondary", "tender_offer"])]
    for company, group in usd.groupby("company_id"):
        undated_usd = group.loc[group["announced_date"].isna(), "amount"].sum()
        shown = summary.loc[company, "funding_undated_usd"]
        assert (0 if pd.isna(shown) else shown) == undated_usd, company


def test_a_date_known_to_the_day_beats_one_known_to_the_month_of_the_same_tier(model: Path) -> None:
    add_rows(model, "sources", source("zz-official-month", "official", "2025-06-01"))
    add_rows(
        model,
        "model_releases",
        claim(
            "zz-official-month", False, "It came out in May 2024.", release_date="2024-05-01", date_precision="month"
        ),
    )
    path = model / "data" / "model_releases.csv"
    header, rows = read_rows(path)
    for row in rows:  # the older official claim states the day
        if row[0] == MODEL and row[1] == "zz-official-2024":
            row[header.index("release_date")], row[header.index("date_precision")] = "2024-05-06", "day"
            row[header.index("evidence")] += " … Released on 6 May 2024."
    write_rows(path, header, rows)
    assert problems(model) == []
    shown = fact(model)
    assert (shown["release_date"], shown["date_precision"]) == (pd.Timestamp("2024-05-06"), "day")


def test_coverage_measures_the_resolved_facts(repo: Path, capsys: pytest.CaptureFixture) -> None:
    from ai_labs_data.coverage import aggregator_share, completeness

    facts = ai_labs_data.load("model_releases", root=repo)
    table = completeness(repo).set_index(["table", "subset", "field"])
    dated = table.loc[("model_releases", "all", "release_date")]
    assert (dated["facts"], dated["filled"]) == (len(facts), facts["release_date"].notna().sum())
    open_models = facts[facts["open_weights"].fillna(False).astype(bool)]
    licensed = table.loc[("model_releases", "open weights", "license")]
    assert (licensed["facts"], licensed["filled"]) == (len(open_models), open_models["license"].notna().sum())
    share = aggregator_share(repo)
    totals = share[share["table"] == "(all tables)"]
    prov = ai_labs_data.provenance(root=repo)
    assert totals["values"].sum() == len(prov)
    assert totals["aggregator"].sum() == (prov["tier"] == 5).sum()
    assert main(["coverage", str(repo)]) == 0
    assert "model_releases (open weights" in capsys.readouterr().out
