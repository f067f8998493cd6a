"""company_summary: one row per company, answering "what is it worth, what has it raised, what does it
earn, what has it released" in US dollars."""

from __future__ import annotations

import pandas as pd

from .claims import fact_dates, preferred, releases_resolved, usd
from .fx import Rates
from .valuations import KIND_RANK


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


NOT_RAISED = ["secondary", "tender_offer"]


def rounds_in_usd(tables: dict[str, pd.DataFrame], rates: Rates) -> pd.DataFrame:
    """Preferred rounds with their date (see fact_dates), company country and amount in USD at that date."""
    rounds = preferred(tables["funding_rounds"])
    dates = fact_dates(tables["funding_rounds"], "round_id", "announced_date")["date"]
    country = tables["companies"].set_index("company_id")["country"].astype(str)
    rounds = rounds.assign(date=rounds["round_id"].map(dates), country=rounds["company_id"].map(country))
    # Shares sold by existing holders (secondary sales, tender offers) raise no money for the company.
    raised = ~rounds["round_type"].isin(NOT_RAISED)
    rounds["amount_usd"] = [
        usd(r.amount, rates.on(r.currency, r.date).usd_per_unit) if isinstance(r.currency, str) and new else None
        for r, new in zip(rounds.itertuples(index=False), raised, strict=True)
    ]
    return rounds


def build_summary(
    tables: dict[str, pd.DataFrame], valuations: pd.DataFrame, fin_usd: pd.DataFrame, rounds: pd.DataFrame, rates: Rates
) -> pd.DataFrame:
    companies = tables["companies"]
    vals = valuations.dropna(subset=["usd_value", "date"]).assign(_rank=lambda d: d["kind"].map(KIND_RANK))
    latest = vals.sort_values(["company_id", "date", "_rank"], ascending=[True, False, True]).drop_duplicates(
        "company_id"
    )
    latest = latest.set_index("company_id")

    listings = preferred(tables["listings"])
    listed = fact_dates(tables["listings"], "company_id", "listing_date")["date"]
    listings = listings.assign(listing_date=listings["company_id"].map(listed))
    releases = releases_resolved(tables["model_releases"])
    revenue, income = _latest_annual(fin_usd, "revenue"), _latest_annual(fin_usd, "net_income")

    rows = []
    for c in companies.itertuples(index=False):
        cid = c.company_id
        own = rounds[rounds["company_id"] == cid]
        raised = own["amount_usd"].dropna()
        lst = listings[listings["company_id"] == cid].sort_values("listing_date")
        ipo = lst.iloc[0] if len(lst) else None
        ipo_usd = None
        if ipo is not None and isinstance(ipo["currency"], str):
            ipo_usd = usd(ipo["gross_proceeds"], rates.on(ipo["currency"], ipo["listing_date"]).usd_per_unit)
        rel = releases[releases["company_id"] == cid]
        known_open = rel["open_weights"].dropna()
        val = latest.loc[cid] if cid in latest.index else None
        rev = revenue.loc[cid] if cid in revenue.index else None
        inc = income.loc[cid] if cid in income.index else None
        rev_usd = None if rev is None or pd.isna(rev["usd_value"]) else int(rev["usd_value"])
        multiple = None
        if val is not None and rev_usd and rev_usd > 0:
            multiple = round(float(val["usd_value"]) / rev_usd, 1)
        rows.append(
            {
                "company_id": cid,
                "name": c.name,
                "country": c.country,
                "kind": c.kind,
                "status": c.status,
                "latest_valuation_usd": None if val is None else int(val["usd_value"]),
                "latest_valuation_date": None if val is None else val["date"],
                "latest_valuation_kind": None if val is None else val["kind"],
                "latest_valuation_id": None if val is None else val["valuation_id"],
                "funding_rounds": len(own),
                "funding_rounds_with_usd_amount": len(raised),
                "funding_total_usd": int(raised.sum()) if len(raised) else None,
                "listing_date": None if ipo is None else ipo["listing_date"],
                "ipo_proceeds_usd": ipo_usd,
                "revenue_fy_end": None if rev is None else rev["period_end"],
                "revenue_fy_usd": rev_usd,
                "net_income_fy_end": None if inc is None else inc["period_end"],
                "net_income_fy_usd": None if inc is None or pd.isna(inc["usd_value"]) else int(inc["usd_value"]),
                "valuation_to_revenue": multiple,
                "model_releases": int(rel["model_id"].nunique()),
                "open_weight_share": round(100 * float(known_open.mean()), 1) if len(known_open) else None,
            }
        )
    return pd.DataFrame(rows).sort_values("company_id", ignore_index=True)
