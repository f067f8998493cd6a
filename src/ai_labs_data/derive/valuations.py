"""valuations: every valuation observation (a round's pre- or post-money, a market cap) in USD."""

from __future__ import annotations

import pandas as pd

from .claims import fact_dates, preferred, usd
from .fx import Rates

KIND_OF_FIELD = {"post_money_valuation": "post_money", "pre_money_valuation": "pre_money"}
# When two observations share a date, the more direct measure of value wins "latest valuation".
KIND_RANK = {"market_cap": 0, "post_money": 1, "valuation_unspecified": 2, "pre_money": 3}


def build_valuations(rounds: pd.DataFrame, caps: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    rows = []
    dates = fact_dates(rounds, "round_id", "announced_date")
    for r in preferred(rounds).itertuples(index=False):
        date = dates["date"].get(r.round_id, pd.NaT)
        date_source = dates["date_source_id"].get(r.round_id, None)
        for field, kind in KIND_OF_FIELD.items():
            value = getattr(r, field)
            if pd.isna(value):
                continue
            if kind == "post_money" and r.basis == "valuation_unspecified":
                kind = "valuation_unspecified"
            rows.append(
                _row(
                    f"round:{r.round_id}:{kind}",
                    r.company_id,
                    date,
                    kind,
                    value,
                    r.currency,
                    rates,
                    "funding_rounds",
                    r.round_id,
                    r.source_id,
                    date_source,
                )
            )
    for c in preferred(caps).itertuples(index=False):
        rows.append(
            _row(
                f"market_cap:{c.company_id}:{c.date:%Y-%m-%d}",
                c.company_id,
                c.date,
                "market_cap",
                c.market_cap,
                c.currency,
                rates,
                "market_caps",
                f"{c.company_id}|{c.date:%Y-%m-%d}",
                c.source_id,
                c.source_id,
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("valuation_id", ignore_index=True)


COLUMNS = [
    "valuation_id",
    "company_id",
    "date",
    "kind",
    "value",
    "currency",
    "usd_value",
    "usd_per_unit",
    "rate_date",
    "note",
    "source_table",
    "source_key",
    "source_id",
    "date_source_id",
]


def _row(vid, company, date, kind, value, currency, rates: Rates, table, key, source, date_source) -> dict:
    conv = rates.on(currency, date) if isinstance(currency, str) else None
    note = "no currency" if conv is None else conv.note
    rate = None if conv is None else conv.usd_per_unit
    return {
        "valuation_id": vid,
        "company_id": company,
        "date": date,
        "kind": kind,
        "value": value,
        "currency": currency,
        "usd_value": usd(value, rate),
        "usd_per_unit": rate,
        "rate_date": None if conv is None else conv.rate_date,
        "note": note or None,
        "source_table": table,
        "source_key": key,
        "source_id": source,
        "date_source_id": date_source,
    }
