"""price_history: every resolved API price with the date the next one took effect and its US dollar value
at the ECB rate of its effective date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..resolve import Resolution
from .fx import Rates

PRICES = ("input_per_mtok", "cached_input_per_mtok", "output_per_mtok")
SERIES = ["model_id", "api_model_id", "tier", "currency"]
USD_DECIMALS = 6  # a millionth of a dollar per million tokens: below any list price's precision


def usd_prices(values: pd.Series, usd_per_unit: pd.Series) -> pd.Series:
    """Native prices in US dollars, rounded to USD_DECIMALS (round half to even); NA without a rate."""
    product = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan) * usd_per_unit.astype("Float64").to_numpy(
        dtype=float, na_value=np.nan
    )
    return pd.Series(np.round(product, USD_DECIMALS), index=values.index).astype("Float64")


def build_price_history(prices: Resolution, models: Resolution, companies: Resolution, rates: Rates) -> pd.DataFrame:
    facts, cited = prices.facts, prices.sources
    frame = facts.copy()
    ordered = frame.sort_values([*SERIES, "effective_date"], kind="stable")
    # The next price of a series is the next resolved fact of it: a change, or a later observation.
    ordered["next_date"] = ordered.groupby(SERIES, sort=False, dropna=False)["effective_date"].shift(-1)
    frame["next_date"] = ordered["next_date"].reindex(frame.index)
    company = models.facts.set_index("model_id")["company_id"]
    frame["company_id"] = frame["model_id"].map(company)
    country = companies.facts.set_index("company_id")["country"]
    frame["country"] = frame["company_id"].map(country)
    conv = rates.on_each(frame["currency"], frame["effective_date"])
    frame["usd_per_unit"] = conv["usd_per_unit"]
    frame["rate_date"] = conv["rate_date"]
    frame["note"] = conv["note"]
    for name in PRICES:
        frame[name.replace("_per_mtok", "_usd_per_mtok")] = usd_prices(frame[name], frame["usd_per_unit"])
    frame["source_id"] = cited["output_per_mtok"].fillna(cited["input_per_mtok"]).fillna(cited["cached_input_per_mtok"])
    return frame  # columns and row order come from the table's schema (Inputs.table_file)
