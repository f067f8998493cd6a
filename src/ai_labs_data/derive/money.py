"""Money in US dollars: the one place where a native amount meets an exchange rate."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .fx import Rates


def _in_dollars(values: pd.Series, usd_per_unit: pd.Series, decimals: int) -> pd.Series:
    """values times usd_per_unit rounded to `decimals` (round half to even), as floats; NaN without a value or
    a rate."""
    product = values.astype("Float64") * usd_per_unit.astype("Float64").to_numpy()
    return pd.Series(np.round(product.to_numpy(dtype=float, na_value=np.nan), decimals), index=values.index)


def usd_amounts(values: pd.Series, usd_per_unit: pd.Series) -> pd.Series:
    """Native amounts in whole US dollars (round half to even); NA without an amount or a rate."""
    return _in_dollars(values, usd_per_unit, 0).astype("Int64")


PRICE_DECIMALS = 6  # a millionth of a dollar per million tokens: below any list price's precision


def usd_prices(values: pd.Series, usd_per_unit: pd.Series) -> pd.Series:
    """Native prices per million tokens in US dollars, to PRICE_DECIMALS; NA without a price or a rate."""
    return _in_dollars(values, usd_per_unit, PRICE_DECIMALS).astype("Float64")


def in_usd(frame: pd.DataFrame, rates: Rates, value: str = "value", date: str = "date") -> pd.DataFrame:
    """`frame` with usd_value, usd_per_unit, rate_date and note: each row's `value` in `currency` at the
    ECB rate of its `date` (see fx.Rates.on)."""
    conv = rates.on_each(frame["currency"], frame[date])
    return frame.assign(
        usd_value=usd_amounts(frame[value], conv["usd_per_unit"]),
        usd_per_unit=conv["usd_per_unit"],
        rate_date=conv["rate_date"],
        note=conv["note"],
    )
