"""How complete the resolved facts are, and how much of what they show rests on aggregators.

    $ ai-labs-data coverage

Two measures a user of the data, and the project's own issues, ask for: the share of facts with each
field filled (for every fact table, and for open-weights models on their own), and the share of shown
values whose source is an aggregator, for Chinese companies and for the others.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .loaders import claim_tables, load, resolution, schema
from .package import TIERS

AGGREGATOR_TIER = TIERS["aggregator"]


def completeness(root: Path | str | None = None) -> pd.DataFrame:
    """One row per (table, subset, field): facts, facts with the field filled, and the percentage."""
    rows = []
    for name in claim_tables(root):
        ts = schema(name, root)
        facts = load(name, root=root)
        subsets = {"all": facts}
        if name == "model_releases":
            subsets["open weights"] = facts[facts["open_weights"].fillna(False).astype(bool)]
        for subset, frame in subsets.items():
            for field in ts.value_fields:
                filled = int(frame[field].notna().sum())
                percent = round(100 * filled / len(frame), 1) if len(frame) else None
                rows.append((name, subset, field, len(frame), filled, percent))
    return pd.DataFrame(rows, columns=["table", "subset", "field", "facts", "filled", "percent"])


def aggregator_share(root: Path | str | None = None) -> pd.DataFrame:
    """Shown values by the country scope of their company (CN, or every other country as 'global'): how
    many there are and the percentage whose source is an aggregator (tier 5)."""
    companies = load("companies", root=root).set_index("company_id")["country"].astype(object)
    # A table about models (prices, lifecycle, identifiers) reaches its company through the model.
    maker = load("model_releases", root=root).set_index("model_id")["company_id"].astype(object)
    parts = []
    for name in claim_tables(root):
        resolved = resolution(name, root)  # the facts and the provenance of their values, resolved once
        facts = resolved.facts
        of = facts["company_id"] if "company_id" in facts else facts["model_id"].astype(object).map(maker)
        company = pd.Series(of.astype(object).to_numpy(), index=resolved.fact_key.to_numpy())
        country = resolved.provenance["fact_key"].map(company).map(companies)
        parts.append(resolved.provenance.assign(scope=country.eq("CN").map({True: "CN", False: "global"})))
    every = pd.concat(parts, ignore_index=True)
    every["_agg"] = every["tier"].eq(AGGREGATOR_TIER)
    counts = {"values": ("tier", "size"), "aggregator": ("_agg", "sum")}
    out = every.groupby(["scope", "table"]).agg(**counts).reset_index()
    totals = every.groupby("scope").agg(**counts).reset_index().assign(table="(all tables)")
    out = pd.concat([out, totals], ignore_index=True)
    out["percent"] = (100 * out["aggregator"] / out["values"]).round(1)
    return out.sort_values(["scope", "table"], ignore_index=True)


def report(root: Path | str | None = None) -> str:
    lines = ["Fields filled in the resolved facts (load(table)):"]
    for (table, subset), group in completeness(root).groupby(["table", "subset"], sort=False):
        facts = int(group["facts"].iloc[0])
        cells = ", ".join(f"{r.field} {r.percent:g}%" for r in group.itertuples() if r.percent is not None)
        lines.append(f"  {table} ({subset}, {facts} facts): {cells}")
    lines += ["", "Shown values whose source is an aggregator, by company scope:"]
    for r in aggregator_share(root).itertuples():
        lines.append(f"  {r.scope:6s} {r.table:16s} {r.aggregator:>5} of {r.values:>5}  {r.percent:5.1f}%")
    return "\n".join(lines)
