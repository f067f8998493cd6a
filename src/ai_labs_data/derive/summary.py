"""company_summary: one row per company, answering "what is it worth, what has it raised, what does it
earn, what has it released" in US dollars, from the resolved facts.

Nothing is dropped silently: a valuation without a date cannot be the latest one, so the summary counts
the undated ones; a round amount in US dollars needs no date to be added to the total (the part from
undated rounds is shown on its own), and a round whose amount cannot be converted is counted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..resolve import Resolution
from .fx import Rates
from .money import usd_amounts
from .valuations import KIND_RANK

# Shares sold by existing holders (secondary sales, tender offers) raise no money for the company.
NOT_RAISED = ["secondary", "tender_offer"]


def rounds_in_usd(rounds: Resolution, companies: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """Resolved rounds with their company's country and the amount raised in USD at the round's date (a
    USD amount as stated, dated or not); amount_usd is NA for secondary sales and tender offers."""
    facts = rounds.facts
    country = companies.set_index("company_id")["country"].astype(object)
    conv = rates.on_each(facts["currency"], facts["announced_date"])
    usd = facts["currency"].astype(object).eq("USD").to_numpy()
    rate = conv["usd_per_unit"].where(~usd, 1.0)
    raised = ~facts["round_type"].astype(object).isin(NOT_RAISED)
    amount = usd_amounts(facts["amount"], rate).where(raised.to_numpy())
    return facts.assign(
        date=facts["announced_date"],
        country=facts["company_id"].astype(object).map(country),
        amount_usd=amount,
    )


def _latest_annual(fin_usd: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Each company's latest full-year figure for `metric` (a 12-month period), forecasts excluded."""
    days = (fin_usd["period_end"] - fin_usd["period_start"]).dt.days
    # Actual figures only: a forecast (say, 2028 revenue) is not the company's latest revenue.
    annual = fin_usd[(fin_usd["metric"] == metric) & days.between(364, 365) & (fin_usd["basis"] != "forecast")]
    return (
        annual.sort_values(["company_id", "period_end"])
        .drop_duplicates("company_id", keep="last")
        .set_index("company_id")
    )


def _count(frame: pd.DataFrame, mask: pd.Series | np.ndarray | None = None) -> pd.Series:
    chosen = frame if mask is None else frame[mask]
    return chosen.groupby("company_id").size()


def _as_int(values: pd.Series) -> pd.Series:
    return values.astype("Float64").round().astype("Int64")


def build_summary(
    companies: pd.DataFrame,
    valuations: pd.DataFrame,
    fin_usd: pd.DataFrame,
    rounds: pd.DataFrame,
    listings: Resolution,
    releases: Resolution,
    rates: Rates,
) -> pd.DataFrame:
    ids = companies["company_id"].astype(object)
    out = pd.DataFrame(
        {
            "company_id": ids,
            "name": companies["name"],
            "country": companies["country"],
            "kind": companies["kind"],
            "status": companies["status"],
        }
    ).set_index("company_id", drop=False)

    dated = valuations.dropna(subset=["usd_value", "date"]).assign(_rank=lambda d: d["kind"].map(KIND_RANK))
    latest = dated.sort_values(["company_id", "date", "_rank"], ascending=[True, False, True])
    latest = latest.drop_duplicates("company_id").set_index("company_id")
    out["latest_valuation_usd"] = latest["usd_value"]
    out["latest_valuation_date"] = latest["date"]
    out["latest_valuation_kind"] = latest["kind"]
    out["latest_valuation_id"] = latest["valuation_id"]
    out["undated_valuations"] = _count(valuations, valuations["date"].isna())

    with_amount = rounds["amount_usd"].notna()
    undated = rounds["date"].isna()
    unconverted = rounds["amount"].notna() & ~with_amount & ~rounds["round_type"].astype(object).isin(NOT_RAISED)
    out["funding_rounds"] = _count(rounds)
    out["funding_rounds_with_usd_amount"] = _count(rounds, with_amount)
    out["funding_total_usd"] = rounds[with_amount].groupby("company_id")["amount_usd"].sum()
    out["funding_undated_usd"] = rounds[with_amount & undated].groupby("company_id")["amount_usd"].sum()
    out["funding_rounds_unconverted"] = _count(rounds, unconverted)

    ipo = listings.facts.sort_values(["company_id", "listing_date"]).drop_duplicates("company_id")
    conv = rates.on_each(ipo["currency"], ipo["listing_date"])
    ipo = ipo.assign(usd=usd_amounts(ipo["gross_proceeds"], conv["usd_per_unit"])).set_index("company_id")
    out["listing_date"] = ipo["listing_date"]
    out["ipo_proceeds_usd"] = ipo["usd"]

    revenue, income = _latest_annual(fin_usd, "revenue"), _latest_annual(fin_usd, "net_income")
    out["revenue_fy_end"] = revenue["period_end"]
    out["revenue_fy_usd"] = revenue["usd_value"]
    out["net_income_fy_end"] = income["period_end"]
    out["net_income_fy_usd"] = income["usd_value"]
    # A multiple divides a valuation by the revenue of the year before it: a fiscal year that ended in the
    # twelve months up to the valuation date. Another year's revenue (a 2026 valuation over 2022 revenue,
    # or over a year not yet ended) would mislead, so the multiple is then left empty.
    lag = (pd.to_datetime(out["latest_valuation_date"]) - pd.to_datetime(out["revenue_fy_end"])).dt.days
    trailing = lag.between(0, 366)
    positive = out["revenue_fy_usd"].astype("Float64").where(lambda r: r > 0).where(trailing)
    out["valuation_to_revenue"] = (out["latest_valuation_usd"].astype("Float64") / positive).round(1)

    models = releases.facts
    out["model_releases"] = _count(models)
    known = models.dropna(subset=["open_weights"])
    share = known.groupby("company_id")["open_weights"].mean()
    out["open_weight_share"] = (100 * share.astype(float)).round(1)

    counts = ["funding_rounds", "funding_rounds_with_usd_amount", "funding_rounds_unconverted", "model_releases"]
    counts += ["undated_valuations"]
    out[counts] = out[counts].fillna(0).astype("Int64")
    money = ["latest_valuation_usd", "funding_total_usd", "funding_undated_usd", "ipo_proceeds_usd"]
    money += ["revenue_fy_usd", "net_income_fy_usd"]
    for col in money:
        out[col] = _as_int(out[col])
    return out.sort_index().reset_index(drop=True)
