"""docs/figures/*.png, drawn from the derived tables. Deterministic: fixed size, fonts and metadata."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "ai-labs-data",
}
FIGURES = "docs/figures"
LEADERS = 8


def _png(fig: plt.Figure, footer: str) -> bytes:
    fig.text(0.01, 0.01, footer, fontsize=7, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _empty(ax: plt.Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this release", ha="center", va="center", transform=ax.transAxes)


def valuation_over_time(valuations: pd.DataFrame, summary: pd.DataFrame, footer: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    leaders = summary.dropna(subset=["latest_valuation_usd"]).nlargest(LEADERS, "latest_valuation_usd")["company_id"]
    vals = valuations.dropna(subset=["usd_value", "date"])
    vals = vals[vals["company_id"].isin(leaders) & (vals["kind"] != "pre_money")]
    for company, group in vals.groupby("company_id", sort=True):
        group = group.sort_values("date")
        ax.plot(group["date"], group["usd_value"] / 1e9, marker="o", markersize=3, linewidth=1.2, label=company)
    if vals.empty:
        _empty(ax, "valuations")
    else:
        ax.set_yscale("log")
        ax.legend(fontsize=7, ncol=2, frameon=False)
    ax.set_title("Valuation over time (post-money and market cap), USD bn, log scale")
    ax.set_ylabel("USD bn")
    return _png(fig, footer)


def zhipu_vs_minimax(caps: pd.DataFrame, footer: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    pair = caps[caps["company_id"].isin(["zhipu", "minimax"])]
    for company, group in pair.groupby("company_id", sort=True):
        group = group.sort_values("date")
        currency = "/".join(sorted(group["currency"].astype(str).unique()))
        ax.plot(group["date"], group["market_cap"] / 1e9, marker="o", markersize=3, label=f"{company} ({currency})")
    if pair.empty:
        _empty(ax, "market caps")
    else:
        ax.legend(frameon=False)
    ax.set_title("Zhipu vs MiniMax: market capitalisation since listing, bn (native currency)")
    ax.set_ylabel("bn, native currency")
    fig.autofmt_xdate()
    return _png(fig, footer)


def funding_by_year(rounds_usd: pd.DataFrame, footer: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = rounds_usd.dropna(subset=["amount_usd", "date"])
    table = data.assign(year=data["date"].dt.year).pivot_table(
        index="year", columns="country", values="amount_usd", aggfunc="sum", fill_value=0
    )
    if table.empty:
        _empty(ax, "funding")
    else:
        bottom = pd.Series(0.0, index=table.index)
        for country in sorted(table.columns):
            ax.bar(table.index.astype(str), table[country] / 1e9, bottom=bottom / 1e9, label=country)
            bottom += table[country]
        ax.legend(title="country", frameon=False)
    ax.set_title("Disclosed funding raised per year by company country, USD bn (secondary sales excluded)")
    ax.set_ylabel("USD bn")
    return _png(fig, footer)


def releases_per_quarter(releases: pd.DataFrame, footer: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    rel = releases.dropna(subset=["release_date"])
    rel = rel[rel["release_date"] >= pd.Timestamp("2023-01-01")]
    weights = rel["open_weights"].astype(object).map({True: "open weights", False: "closed"}).fillna("unknown")
    table = rel.assign(quarter=rel["release_date"].dt.to_period("Q").astype(str), weights=weights).pivot_table(
        index="quarter", columns="weights", values="model_id", aggfunc="count", fill_value=0
    )
    if table.empty:
        _empty(ax, "releases")
    else:
        bottom = pd.Series(0, index=table.index)
        colors = {"open weights": "#2a9d8f", "closed": "#264653", "unknown": "#bbbbbb"}
        for kind in [k for k in colors if k in table.columns]:
            ax.bar(table.index, table[kind], bottom=bottom, label=kind, color=colors[kind])
            bottom += table[kind]
        ax.legend(frameon=False)
        ax.tick_params(axis="x", rotation=45)
    ax.set_title("Model releases per quarter, open vs closed weights")
    ax.set_ylabel("releases")
    return _png(fig, footer)


def multiples(summary: pd.DataFrame, footer: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    data = summary.dropna(subset=["valuation_to_revenue"]).sort_values("valuation_to_revenue")
    if data.empty:
        _empty(ax, "multiples")
    else:
        ax.barh(data["company_id"], data["valuation_to_revenue"], color="#e76f51")
        ax.set_xscale("log")
        for y, value in enumerate(data["valuation_to_revenue"]):
            ax.text(value, y, f" {value:,.1f}x", va="center", fontsize=7)
    ax.set_title("Latest valuation / latest annual revenue (both USD), log scale")
    ax.set_xlabel("multiple")
    return _png(fig, footer)


def draw_figures(
    derived: dict[str, pd.DataFrame], facts: dict[str, pd.DataFrame], rounds_usd: pd.DataFrame, footer: str
) -> dict[str, bytes]:
    """The figures, from the derived tables and the resolved facts."""
    with plt.rc_context(STYLE):
        return {
            "valuation_over_time.png": valuation_over_time(derived["valuations"], derived["company_summary"], footer),
            "zhipu_vs_minimax_market_cap.png": zhipu_vs_minimax(facts["market_caps"], footer),
            "funding_by_year_country.png": funding_by_year(rounds_usd, footer),
            "releases_per_quarter.png": releases_per_quarter(facts["model_releases"], footer),
            "valuation_revenue_multiples.png": multiples(derived["company_summary"], footer),
        }
