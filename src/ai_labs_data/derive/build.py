"""Rebuild every derived table from the curated ones. Deterministic: twice gives the same bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..loaders import load, to_csv
from ..package import open_package
from .disputes import build_disputes
from .financials_usd import build_financials_usd
from .fx import Rates, fx_table, read_ecb
from .summary import build_summary
from .valuations import build_valuations

DATE_FIELDS = {
    "funding_rounds": ["announced_date"],
    "listings": ["listing_date"],
    "financials": ["period_start", "period_end"],
    "model_releases": ["release_date"],
    "market_caps": ["date"],
}


@dataclass
class BuildResult:
    stale: list[str]  # derived files whose committed text differs from a rebuild
    written: list[str]


def currencies_used(tables: dict[str, pd.DataFrame]) -> list[str]:
    found: set[str] = set()
    for name in ("funding_rounds", "listings", "market_caps"):
        found.update(tables[name]["currency"].dropna().astype(str))
    units = tables["financials"]["unit"].dropna().astype(str)
    found.update(units[units.str.fullmatch(r"[A-Z]{3}")])
    return sorted(found)


def years_spanned(tables: dict[str, pd.DataFrame]) -> tuple[int, int]:
    years = [tables[t][f].dropna().dt.year for t, fields in DATE_FIELDS.items() for f in fields]
    every = pd.concat(years) if years else pd.Series(dtype=int)
    return (int(every.min()), int(every.max())) if len(every) else (0, 0)


def derive(root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The derived tables as frames, from the curated tables (all claims) at `root`."""
    pkg = open_package(root)
    curated = [r.name for r in pkg.resources.values() if not r.derived]
    tables = {name: load(name, claims="all", root=pkg.root) for name in curated}
    rates = Rates(read_ecb())
    valuations = build_valuations(tables["funding_rounds"], tables["market_caps"], rates)
    fin_usd = build_financials_usd(tables["financials"], rates)
    return {
        "fx_rates": fx_table(rates, currencies_used(tables), years_spanned(tables)),
        "valuations": valuations,
        "financials_usd": fin_usd,
        "company_summary": build_summary(tables, valuations, fin_usd, rates),
        "disputes": build_disputes(tables),
    }


def build(root: Path | str | None = None, check: bool = False) -> BuildResult:
    """Write the derived tables (or, with check=True, only list those that are stale)."""
    pkg = open_package(root)
    result = BuildResult([], [])
    for name, frame in derive(pkg.root).items():
        res = pkg.resources[name]
        path = pkg.root / res.path
        text = to_csv(frame, name, root=pkg.root).encode("utf-8")
        if path.is_file() and path.read_bytes() == text:
            continue
        if check:
            result.stale.append(res.path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text)
            result.written.append(res.path)
    return result
