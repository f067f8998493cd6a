"""financials_usd: the preferred money figures converted at the period's average ECB rate."""

from __future__ import annotations

import pandas as pd

from .claims import preferred, usd
from .fx import Rates

COLUMNS = [
    "company_id",
    "metric",
    "period_start",
    "period_end",
    "date_precision",
    "value",
    "unit",
    "basis",
    "usd_value",
    "usd_per_unit",
    "rate_days",
    "note",
    "source_id",
]


def build_financials_usd(financials: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    money = preferred(financials)
    money = money[money["unit"].str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)]
    rows = []
    for f in money.itertuples(index=False):
        conv = rates.average(f.unit, f.period_start, f.period_end)
        rows.append(
            {
                "company_id": f.company_id,
                "metric": f.metric,
                "period_start": f.period_start,
                "period_end": f.period_end,
                "date_precision": f.date_precision,
                "value": f.value,
                "unit": f.unit,
                "basis": f.basis,
                "usd_value": usd(f.value, conv.usd_per_unit),
                "usd_per_unit": conv.usd_per_unit,
                "rate_days": conv.days if conv.usd_per_unit is not None else None,
                "note": conv.note or None,
                "source_id": f.source_id,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["company_id", "metric", "period_start", "period_end"], ignore_index=True)
