"""financials_usd: the resolved money figures converted at the period's average ECB rate."""

from __future__ import annotations

import pandas as pd

from ..resolve import Resolution
from .fx import Rates
from .money import usd_amounts


def build_financials_usd(financials: Resolution, rates: Rates) -> pd.DataFrame:
    facts = financials.facts.assign(source_id=financials.sources["value"])
    money = facts[facts["unit"].str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)]
    periods = money[["unit", "period_start", "period_end"]].drop_duplicates()
    found = [rates.average(u, s, e) for u, s, e in periods.itertuples(index=False)]
    periods = periods.assign(
        usd_per_unit=[c.usd_per_unit for c in found],
        rate_days=[c.days if c.usd_per_unit is not None else None for c in found],
        note=[c.note or None for c in found],
    )
    money = money.merge(periods, on=["unit", "period_start", "period_end"], how="left")
    money = money.assign(usd_value=usd_amounts(money["value"], money["usd_per_unit"]))
    return money  # columns and row order come from the table's schema (Inputs.table_file)
