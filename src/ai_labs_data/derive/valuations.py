"""valuations: every valuation observation (a round's pre- or post-money or unqualified valuation, a
market cap) of the resolved facts, in USD at the rate of its date."""

from __future__ import annotations

import pandas as pd

from ..resolve import Resolution
from .fx import Rates
from .money import in_usd

# Round fields that hold a valuation, and the kind of observation each is.
KIND_OF_FIELD = {
    "post_money_valuation": "post_money",
    "pre_money_valuation": "pre_money",
    "valuation": "unqualified",
}
# When two observations share a date, the more direct measure of value wins "latest valuation".
KIND_RANK = {"market_cap": 0, "post_money": 1, "unqualified": 2, "pre_money": 3}


def _round_observations(rounds: Resolution) -> pd.DataFrame:
    facts, cited = rounds.facts, rounds.sources
    parts = []
    for field, kind in KIND_OF_FIELD.items():
        has = facts[field].notna()
        parts.append(
            pd.DataFrame(
                {
                    "valuation_id": "round:" + facts.loc[has, "round_id"] + f":{kind}",
                    "company_id": facts.loc[has, "company_id"],
                    "date": facts.loc[has, "announced_date"],
                    "kind": kind,
                    "basis": facts.loc[has, "valuation_basis"].astype(object),
                    "value": facts.loc[has, field],
                    "currency": facts.loc[has, "currency"],
                    "source_table": "funding_rounds",
                    "source_key": facts.loc[has, "round_id"],
                    "source_id": cited.loc[has, field],
                    "date_source_id": cited.loc[has, "announced_date"],
                }
            )
        )
    return pd.concat(parts)


def _cap_observations(caps: Resolution) -> pd.DataFrame:
    facts, cited = caps.facts, caps.sources
    day = facts["date"].dt.strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "valuation_id": "market_cap:" + facts["company_id"] + ":" + day,
            "company_id": facts["company_id"],
            "date": facts["date"],
            "kind": "market_cap",
            "basis": facts["basis"].astype(object),
            "value": facts["market_cap"],
            "currency": facts["currency"],
            "source_table": "market_caps",
            "source_key": facts["company_id"] + "|" + day,
            "source_id": cited["market_cap"],
            "date_source_id": cited["market_cap"],
        }
    )


def build_valuations(rounds: Resolution, caps: Resolution, rates: Rates) -> pd.DataFrame:
    frame = pd.concat([_round_observations(rounds), _cap_observations(caps)], ignore_index=True)
    frame = in_usd(frame, rates)
    return frame  # columns and row order come from the table's schema (Inputs.table_file)
