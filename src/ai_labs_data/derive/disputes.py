"""disputes: every fact whose sources disagree on a value, with the values, the spread and the
preferred claim. Dates known only to a month or year disagree only when they cannot both be true."""

from __future__ import annotations

import pandas as pd

from ..tableschema import TableSchema
from .claims import key_text

COMPARED: dict[str, list[str]] = {
    "funding_rounds": ["announced_date", "amount", "pre_money_valuation", "post_money_valuation", "round_type"],
    "listings": ["listing_date", "ticker", "offer_price", "gross_proceeds"],
    "financials": ["value"],
    "model_releases": [
        "release_date",
        "open_weights",
        "license",
        "architecture",
        "params_total",
        "params_active",
        "context_length",
    ],
    "market_caps": ["market_cap", "share_price"],
}
MONEY = {
    "amount",
    "pre_money_valuation",
    "post_money_valuation",
    "offer_price",
    "gross_proceeds",
    "market_cap",
    "share_price",
}
COLUMNS = [
    "table",
    "fact_key",
    "field",
    "claims",
    "values",
    "min_value",
    "max_value",
    "spread_percent",
    "preferred_value",
    "preferred_source_id",
]


def _text(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compatible_dates(dates: list[pd.Timestamp], precisions: list[str]) -> bool:
    """True when some day lies inside every claim's date at its precision."""
    lo = max(dates)
    for d, p in zip(dates, precisions, strict=True):
        end = d + (
            pd.offsets.YearEnd(0) if p == "year" else pd.offsets.MonthEnd(0) if p == "month" else pd.Timedelta(0)
        )
        if lo > end:
            return False
    return True


def build_disputes(tables: dict[str, pd.DataFrame], schemas: dict[str, TableSchema]) -> pd.DataFrame:
    rows = []
    for name, fields in COMPARED.items():
        frame = tables[name].assign(_key=lambda f, n=name: key_text(f, schemas[n].fact_key))
        for key, claims in frame.groupby("_key", sort=True):
            if len(claims) < 2:
                continue
            pref = claims[claims["preferred"].fillna(False).astype(bool)]
            for field in fields:
                stated = claims.dropna(subset=[field])
                if stated.empty:
                    continue
                unit = stated["unit"] if name == "financials" else stated["currency"] if field in MONEY else None
                labels = stated[field].astype(object).map(_text).astype(str) + (
                    "" if unit is None else " " + unit.fillna("").astype(str)
                )
                if labels.nunique() < 2:
                    continue
                if field.endswith("_date") and "date_precision" in stated:
                    precision = stated["date_precision"].fillna("day").astype(str).tolist()
                    if _compatible_dates(stated[field].tolist(), precision):
                        continue
                numeric = pd.api.types.is_numeric_dtype(stated[field]) and (unit is None or unit.nunique() == 1)
                lo = hi = spread = None
                if numeric and not pd.api.types.is_bool_dtype(stated[field]):
                    lo, hi = float(stated[field].min()), float(stated[field].max())
                    spread = round(100 * (hi - lo) / abs(lo), 2) if lo else None
                pv = pref[field].iloc[0] if len(pref) else None
                rows.append(
                    {
                        "table": name,
                        "fact_key": key,
                        "field": field,
                        "claims": len(stated),
                        "values": "; ".join(
                            sorted(f"{s}={v}" for s, v in zip(stated["source_id"], labels, strict=True))
                        ),
                        "min_value": lo,
                        "max_value": hi,
                        "spread_percent": spread,
                        "preferred_value": None if pv is None or pd.isna(pv) else _text(pv),
                        "preferred_source_id": pref["source_id"].iloc[0] if len(pref) else None,
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["table", "fact_key", "field"], ignore_index=True)
