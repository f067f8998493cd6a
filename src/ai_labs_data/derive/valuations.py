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
        for field, kind in KIND_OF_FIELD.items():
            value = getattr(r, field)
            if pd.isna(value):
                continue
            if kind == "post_money" and r.basis == "valuation_unspecified":
                kind = "valuation_unspecified"
            observation = {
                "valuation_id": f"round:{r.round_id}:{kind}",
                "company_id": r.company_id,
                "date": date,
                "kind": kind,
                "basis": r.basis,
                "value": value,
                "currency": r.currency,
                "source_table": "funding_rounds",
                "source_key": r.round_id,
                "source_id": r.source_id,
                "date_source_id": dates["date_source_id"].get(r.round_id, None),
            }
            rows.append(_in_usd(observation, rates))
    for c in preferred(caps).itertuples(index=False):
        key = f"{c.company_id}|{c.date:%Y-%m-%d}"
        observation = {
            "valuation_id": f"market_cap:{c.company_id}:{c.date:%Y-%m-%d}",
            "company_id": c.company_id,
            "date": c.date,
            "kind": "market_cap",
            "basis": c.basis,
            "value": c.market_cap,
            "currency": c.currency,
            "source_table": "market_caps",
            "source_key": key,
            "source_id": c.source_id,
            "date_source_id": c.source_id,
        }
        rows.append(_in_usd(observation, rates))
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("valuation_id", ignore_index=True)


COLUMNS = [
    "valuation_id",
    "company_id",
    "date",
    "kind",
    "basis",
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


def _in_usd(observation: dict, rates: Rates) -> dict:
    """The observation with its USD value at the rate of its date (see fx.Rates.on)."""
    currency, date = observation["currency"], observation["date"]
    conv = rates.on(currency, date) if isinstance(currency, str) else None
    rate = None if conv is None else conv.usd_per_unit
    note = "no currency" if conv is None else conv.note
    return {
        **observation,
        "usd_value": usd(observation["value"], rate),
        "usd_per_unit": rate,
        "rate_date": None if conv is None else conv.rate_date,
        "note": note or None,
    }
