"""price_history: every resolved API price with the date the next one took effect and its US dollar value
at the ECB rate of its effective date."""

from __future__ import annotations

import pandas as pd

from ..resolve import Resolution
from ..tableschema import TableSchema
from .fx import Rates
from .money import usd_prices


def build_price_history(
    prices: Resolution, schema: TableSchema, models: Resolution, companies: Resolution, rates: Rates
) -> pd.DataFrame:
    """`schema` is model_prices': its money fields are the prices, its fact key without the date a series."""
    facts, cited = prices.facts, prices.sources
    money = [f.name for f in schema.fields if f.unit == "currency"]
    series = [k for k in schema.fact_key if k != "effective_date"]
    frame = facts.copy()
    ordered = frame.sort_values([*series, "effective_date"], kind="stable")
    # The next price of a series is the next resolved fact of it: a change, or a later observation.
    ordered["next_date"] = ordered.groupby(series, sort=False, dropna=False)["effective_date"].shift(-1)
    frame["next_date"] = ordered["next_date"].reindex(frame.index)
    company = models.facts.set_index("model_id")["company_id"]
    frame["company_id"] = frame["model_id"].map(company)
    country = companies.facts.set_index("company_id")["country"]
    frame["country"] = frame["company_id"].map(country)
    conv = rates.on_each(frame["currency"], frame["effective_date"])
    frame["usd_per_unit"] = conv["usd_per_unit"]
    frame["rate_date"] = conv["rate_date"]
    frame["note"] = conv["note"]
    for name in money:
        frame[name.replace("_per_mtok", "_usd_per_mtok")] = usd_prices(frame[name], frame["usd_per_unit"])
    frame["source_id"] = cited["output_per_mtok"].fillna(cited["input_per_mtok"]).fillna(cited["cached_input_per_mtok"])
    return frame  # columns and row order come from the table's schema (Inputs.table_file)
