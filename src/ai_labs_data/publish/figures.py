"""docs/figures/*.png, drawn from the derived tables. Deterministic: fixed size, fonts and metadata."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "ai-labs-data",
}
FIGURES = "docs/figures"
LEADERS = 8


# Every figure is drawn on the same canvas with fixed margins: matplotlib's tight layout measures every
# label's text to place them, which took half of the time of drawing the figures.
SIZE = (8, 4.5)
MARGINS = {"left": 0.08, "right": 0.98, "top": 0.9, "bottom": 0.16}
GAP = pd.Timedelta(days=400)  # observations further apart than this are not joined by a line
FIRST_FUNDING_YEAR = 2015  # the years of the labs in scope; earlier rounds are big tech's


def _png(fig: plt.Figure, footer: str) -> bytes:
    fig.text(0.01, 0.01, footer, fontsize=7, color="#555555", ha="left", va="bottom")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _figure(**margins: float) -> tuple[plt.Figure, plt.Axes]:
    fig, ax = plt.subplots(figsize=SIZE)
    fig.subplots_adjust(**{**MARGINS, **margins})
    return fig, ax


def _log_scale(ax: plt.Axes, axis: str = "y") -> None:
    """A log axis labelled with plain numbers (0.1, 1, 10) rather than powers of ten: easier to read, and
    it spares matplotlib its math-text parser, a fifth of the time of drawing the figures."""
    getattr(ax, f"set_{axis}scale")("log")
    getattr(ax, f"{axis}axis").set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.10g}"))


def _empty(ax: plt.Axes, what: str) -> None:
    ax.text(0.5, 0.5, f"no {what} in this release", ha="center", va="center", transform=ax.transAxes)


def _broken(dates: pd.Series, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The series with a gap (NaN) wherever two observations are more than GAP apart, so that a line does
    not join a 2014 market cap to a 2025 one as if it had moved smoothly in between."""
    frame = pd.DataFrame({"date": dates.to_numpy(), "value": values.astype(float).to_numpy()}).sort_values("date")
    gaps = frame["date"].diff() > GAP
    breaks = pd.DataFrame({"date": frame["date"][gaps] - pd.Timedelta(days=1), "value": float("nan")})
    joined = pd.concat([frame, breaks], ignore_index=True).sort_values("date", kind="stable")
    return joined["date"], joined["value"]


def _lines(ax: plt.Axes, frame: pd.DataFrame, names: dict[str, str], value: str, scale: float) -> None:
    for company, group in frame.groupby("company_id", sort=True):
        dates, values = _broken(group["date"], group[value].astype(float) / scale)
        ax.plot(dates, values, marker="o", markersize=3, linewidth=1.2, label=names.get(company, company))


def valuation_over_time(valuations: pd.DataFrame, summary: pd.DataFrame, names: dict[str, str], footer: str) -> bytes:
    fig, ax = _figure()
    leaders = summary.dropna(subset=["latest_valuation_usd"]).nlargest(LEADERS, "latest_valuation_usd")["company_id"]
    vals = valuations.dropna(subset=["usd_value", "date"])
    vals = vals[vals["company_id"].isin(leaders) & (vals["kind"] != "pre_money")]
    if vals.empty:
        _empty(ax, "valuations")
    else:
        _lines(ax, vals, names, "usd_value", 1e9)
        _log_scale(ax)
        ax.legend(fontsize=7, ncol=2, frameon=False)
    ax.set_title(f"Valuation over time of the {LEADERS} most valuable companies, USD bn, log scale")
    ax.set_ylabel("USD bn (post-money or market cap)")
    return _png(fig, footer)


def listed_market_caps(valuations: pd.DataFrame, names: dict[str, str], footer: str) -> bytes:
    fig, ax = _figure(right=0.78)
    caps = valuations[(valuations["kind"] == "market_cap")].dropna(subset=["usd_value", "date"])
    caps = caps[caps["date"] >= pd.Timestamp("2024-01-01")]
    if caps.empty:
        _empty(ax, "market caps")
    else:
        _lines(ax, caps, names, "usd_value", 1e9)
        _log_scale(ax)
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("Market capitalisation of the listed companies since 2024, USD bn, log scale")
    ax.set_ylabel("USD bn")
    fig.autofmt_xdate()
    return _png(fig, footer)


def zhipu_vs_minimax(caps: pd.DataFrame, names: dict[str, str], footer: str) -> bytes:
    fig, ax = _figure()
    pair = caps[caps["company_id"].isin(["zhipu", "minimax"])]
    for company, group in pair.groupby("company_id", sort=True):
        currency = "/".join(sorted(group["currency"].astype(str).unique()))
        dates, values = _broken(group["date"], group["market_cap"].astype(float) / 1e9)
        ax.plot(dates, values, marker="o", markersize=3, label=f"{names.get(company, company)} ({currency})")
    if pair.empty:
        _empty(ax, "market caps")
    else:
        ax.legend(frameon=False)
    ax.set_title("Zhipu vs MiniMax: market capitalisation since listing, bn (native currency)")
    ax.set_ylabel("bn, native currency")
    fig.autofmt_xdate()
    return _png(fig, footer)


def funding_by_year(rounds_usd: pd.DataFrame, footer: str) -> bytes:
    fig, ax = _figure()
    data = rounds_usd.dropna(subset=["amount_usd", "date"])
    table = data.assign(year=data["date"].dt.year).pivot_table(
        index="year", columns="country", values="amount_usd", aggfunc="sum", fill_value=0
    )
    if table.empty:
        _empty(ax, "funding")
    else:
        # Every year from FIRST_FUNDING_YEAR to the last, so that a year without a disclosed round shows
        # as empty rather than being skipped.
        table = table.reindex(range(FIRST_FUNDING_YEAR, int(table.index.max()) + 1), fill_value=0)
        bottom = pd.Series(0.0, index=table.index)
        colors = plt.get_cmap("tab20").colors  # twenty distinct colours: a country per colour
        for n, country in enumerate(sorted(table.columns)):
            ax.bar(table.index, table[country] / 1e9, bottom=bottom / 1e9, label=country, color=colors[n % 20])
            bottom += table[country]
        ax.set_xticks(list(table.index))
        ax.tick_params(axis="x", rotation=90, labelsize=7)
        ax.legend(title="country", frameon=False, fontsize=7, ncol=2)
    ax.set_title(f"Disclosed funding raised per year since {FIRST_FUNDING_YEAR} by company country, USD bn")
    ax.set_ylabel("USD bn")
    return _png(fig, footer)


def releases_per_quarter(releases: pd.DataFrame, footer: str) -> bytes:
    fig, ax = _figure(bottom=0.2)
    rel = releases.dropna(subset=["release_date"])
    rel = rel[rel["release_date"] >= pd.Timestamp("2023-01-01")]
    weights = rel["open_weights"].astype(object).map({True: "open weights", False: "closed"}).fillna("unknown")
    quarters = rel["release_date"].dt.to_period("Q")
    table = rel.assign(quarter=quarters, weights=weights).pivot_table(
        index="quarter", columns="weights", values="model_id", aggfunc="count", fill_value=0
    )
    if table.empty:
        _empty(ax, "releases")
    else:
        table = table.reindex(pd.period_range(table.index.min(), table.index.max(), freq="Q"), fill_value=0)
        labels = table.index.astype(str)
        bottom = pd.Series(0, index=table.index)
        colors = {"open weights": "#2a9d8f", "closed": "#264653", "unknown": "#bbbbbb"}
        for kind in [k for k in colors if k in table.columns]:
            ax.bar(labels, table[kind], bottom=bottom, label=kind, color=colors[kind])
            bottom += table[kind]
        ax.legend(frameon=False)
        ax.tick_params(axis="x", rotation=45)
    ax.set_title("Model releases per quarter, open vs closed weights")
    ax.set_ylabel("releases")
    return _png(fig, footer)


def multiples(summary: pd.DataFrame, names: dict[str, str], footer: str) -> bytes:
    fig, ax = _figure(left=0.2)
    data = summary.dropna(subset=["valuation_to_revenue"]).sort_values("valuation_to_revenue")
    if data.empty:
        _empty(ax, "multiples")
    else:
        labels = [names.get(c, c) for c in data["company_id"]]
        ax.barh(labels, data["valuation_to_revenue"], color="#e76f51")
        _log_scale(ax, "x")
        for y, value in enumerate(data["valuation_to_revenue"]):
            ax.text(value, y, f" {value:,.1f}x", va="center", fontsize=7)
    ax.set_title("Latest valuation / revenue of the fiscal year before it (both USD), log scale")
    ax.set_xlabel("multiple")
    return _png(fig, footer)


PRICE_LABS = 6  # labs per panel of the price figure: those with the most priced API series


def cheapest_output_price(history: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """For each lab and each date one of its standard prices took effect: the cheapest standard output
    price in US dollars among its API series in force that day (a series' price holds from its
    effective_date until the next one of the same series)."""
    standard = history[(history["tier"] == "standard") & history["output_usd_per_mtok"].notna()]
    rows = []
    for company, group in standard.groupby("company_id", sort=True):
        start = group["effective_date"].to_numpy(dtype="datetime64[ns]")
        until = group["next_date"].to_numpy(dtype="datetime64[ns]", copy=True)
        until[np.isnat(until)] = np.datetime64("2262-01-01")  # the latest price holds on
        price = group["output_usd_per_mtok"].astype(float).to_numpy()
        for day in sorted(set(start)):
            live = (start <= day) & (until > day)
            rows.append((company, group["country"].iloc[0], day, price[live].min()))
    frame = pd.DataFrame(rows, columns=["company_id", "country", "date", "usd"])
    frame["name"] = frame["company_id"].map(lambda c: names.get(c, c))
    return frame


def price_over_time(history: pd.DataFrame, names: dict[str, str], footer: str) -> bytes:
    fig, axes = plt.subplots(1, 2, figsize=SIZE, sharey=True)
    fig.subplots_adjust(**{**MARGINS, "top": 0.84, "bottom": 0.2, "wspace": 0.08})
    cheapest = cheapest_output_price(history, names)
    series = history[history["tier"] == "standard"].groupby("company_id")["api_model_id"].nunique()
    for ax, (title, china) in zip(axes, (("China", True), ("Rest of the world", False)), strict=True):
        panel = cheapest[cheapest["country"].eq("CN") == china]
        labs = series[series.index.isin(panel["company_id"])].sort_values(ascending=False, kind="stable")
        panel = panel[panel["company_id"].isin(labs.index[:PRICE_LABS])]
        if panel.empty:
            _empty(ax, "prices")
        for _, group in panel.groupby("company_id", sort=True):
            ax.step(
                group["date"],
                group["usd"],
                where="post",
                marker="o",
                markersize=3,
                linewidth=1.2,
                label=group["name"].iloc[0],
            )
        _log_scale(ax)
        ax.set_title(title)
        ax.tick_params(axis="x", rotation=45)
        if not panel.empty:  # placed where it hides the fewest points, on a white ground
            ax.legend(fontsize=7, loc="best", ncol=2, framealpha=0.9, edgecolor="none")
    axes[0].set_ylabel("USD per million output tokens")
    fig.suptitle(f"Cheapest standard API output price in force per lab, USD, log scale ({PRICE_LABS} labs per panel)")
    return _png(fig, footer)


def draw_figures(
    derived: dict[str, pd.DataFrame], facts: dict[str, pd.DataFrame], rounds_usd: pd.DataFrame, footer: str
) -> dict[str, bytes]:
    """The figures, from the derived tables and the resolved facts. `footer` names the release; each
    figure adds how its money is shown (in US dollars at ECB rates, or in the native currency)."""
    companies = facts["companies"]
    names = dict(
        zip(companies["company_id"].astype(str), companies["name"].fillna(companies["company_id"]), strict=True)
    )
    usd, native = f"{footer} USD at ECB reference rates.", f"{footer} Native currency, not converted."
    summary, valuations = derived["company_summary"], derived["valuations"]
    with plt.rc_context(STYLE):
        return {
            "valuation_over_time.png": valuation_over_time(valuations, summary, names, usd),
            "listed_market_caps_usd.png": listed_market_caps(valuations, names, usd),
            "zhipu_vs_minimax_market_cap.png": zhipu_vs_minimax(facts["market_caps"], names, native),
            "funding_by_year_country.png": funding_by_year(rounds_usd, usd),
            "releases_per_quarter.png": releases_per_quarter(facts["model_releases"], footer),
            "valuation_revenue_multiples.png": multiples(summary, names, usd),
            "cheapest_output_price.png": price_over_time(derived["price_history"], names, usd),
        }
