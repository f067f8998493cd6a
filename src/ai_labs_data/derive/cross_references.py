"""cross_references: every identifier of a company or a model in one table, each with its best source."""

from __future__ import annotations

import pandas as pd

from ..resolve import Resolution

COLUMNS = ["subject_type", "subject_id", "scheme", "identifier", "source_table", "source_id"]


def _first_source(ranked: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """One row per distinct `key` of claims in good standing, with the best-ranked claim's source_id
    (`ranked` is best first within each fact, see resolve.ranked)."""
    return ranked.drop_duplicates(key)[[*key, "_source"]].rename(columns={"_source": "source_id"})


def _identifiers(res: Resolution, subject: str, subject_type: str, table: str) -> pd.DataFrame:
    rows = _first_source(res.ranked, [subject, "scheme", "identifier"])
    return rows.rename(columns={subject: "subject_id"}).assign(subject_type=subject_type, source_table=table)


def _api_ids(res: Resolution, table: str) -> pd.DataFrame:
    rows = _first_source(res.ranked, ["model_id", "api_model_id"])
    return pd.DataFrame(
        {
            "subject_type": "model",
            "subject_id": rows["model_id"].to_numpy(),
            "scheme": "api",
            "identifier": rows["api_model_id"].to_numpy(),
            "source_table": table,
            "source_id": rows["source_id"].to_numpy(),
        }
    )


def _tickers(listings: Resolution) -> pd.DataFrame:
    facts, cited = listings.facts, listings.sources
    has = facts["ticker"].notna()
    return pd.DataFrame(
        {
            "subject_type": "company",
            "subject_id": facts.loc[has, "company_id"].to_numpy(),
            "scheme": "ticker",
            "identifier": (facts.loc[has, "exchange"] + ":" + facts.loc[has, "ticker"]).to_numpy(),
            "source_table": "listings",
            "source_id": cited.loc[has, "ticker"].to_numpy(),
        }
    )


def build_cross_references(
    company_ids: Resolution, model_ids: Resolution, prices: Resolution, lifecycle: Resolution, listings: Resolution
) -> pd.DataFrame:
    parts = [
        _identifiers(company_ids, "company_id", "company", "company_identifiers"),
        _identifiers(model_ids, "model_id", "model", "model_identifiers"),
        _api_ids(prices, "model_prices"),
        _api_ids(lifecycle, "model_lifecycle"),
        _tickers(listings),
    ]
    frame = pd.concat([p[COLUMNS] for p in parts], ignore_index=True)
    # An API name stated in both prices and lifecycle is one identifier: the prices' source is kept.
    return frame.drop_duplicates(["subject_type", "subject_id", "scheme", "identifier"])
