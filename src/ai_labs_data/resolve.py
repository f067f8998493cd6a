"""Claims to resolved facts, field by field, with the provenance of every value shown.

A claim table holds one row per (fact, source). The resolved view holds one row per fact: each field
group (a value and the fields resolved with it, such as a date and its precision) comes from the best
claim in good standing that states it. Claims are ranked by source tier (filing > official > wire and
press > analysis and datasets > aggregator), then by recency (the source's publication date, newest
first), then by the contributor's `preferred` tie-break, then by source_id so that the order is total.
A forecast ranks after every actual figure. For a date with a precision, a date known to the day ranks
before one known only to the month or year from a source of the same tier. A deprecated claim (one with
a `deprecation_reason`) never supplies a value.

Money values share a unit field (`currency`): a fact's currency is that of the best claim stating any
of its money values, and each money value comes from the best claim in that currency, so that no row
mixes an amount in one currency with a valuation in another. Claims in other currencies stay on record
and are compared in `disputes`.

This module is on the light loading path: pandas and numpy only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, partial

import numpy as np
import pandas as pd

from .package import TIERS
from .tableschema import TableSchema, format_column

UNKNOWN_TIER = max(TIERS.values()) + 1
PROVENANCE_SCHEMA = TableSchema.from_dict(
    {
        "fields": [
            {"name": "table", "type": "string", "description": "Fact table.", "constraints": {"required": True}},
            {
                "name": "fact_key",
                "type": "string",
                "description": "The fact's key fields joined by | (dates YYYY-MM-DD).",
                "constraints": {"required": True},
            },
            {"name": "field", "type": "string", "description": "Field of the fact.", "constraints": {"required": True}},
            {"name": "value", "type": "string", "description": "The value shown, as CSV text."},
            {
                "name": "source_id",
                "type": "string",
                "description": "Source of the claim that supplies the value (sources.source_id).",
                "constraints": {"required": True},
            },
            {
                "name": "tier",
                "type": "integer",
                "description": "Tier of the source: 1 filing, 2 official, 3 wire or press, 4 analysis, 5 aggregator.",
            },
            {
                "name": "evidence",
                "type": "string",
                "description": "The claim's quote: the source's own words for its values.",
            },
        ],
        "primaryKey": ["table", "fact_key", "field"],
        "foreignKeys": [{"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}}],
    }
)
PROVENANCE_COLUMNS = PROVENANCE_SCHEMA.names


def key_part(column: pd.Series) -> pd.Series:
    """A key column as text that sorts as the column does: dates as YYYY-MM-DD, a missing part empty."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").astype("string").fillna("")
    return column.astype("string").fillna("")


def key_text(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    """A fact key as one string, dates as YYYY-MM-DD, parts joined by |."""
    parts = [key_part(frame[k]) for k in key]
    out = parts[0]
    for p in parts[1:]:
        out = out + "|" + p
    return out


def field_groups(schema: TableSchema) -> list[list[str]]:
    """The value fields in groups that resolve together: a field with the fields it names in
    `resolvedWith` (and theirs, transitively). Unit fields (a money value's `currency`) are resolved
    per fact instead (see `resolve`). Groups and their fields in schema order."""
    values = schema.value_fields
    units = {f.unit for f in schema.fields if f.unit}
    parent = {n: n for n in values if n not in units}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for f in schema.fields:
        if f.name not in parent:
            continue
        for other in f.resolved_with:
            if other in parent:
                parent[root(other)] = root(f.name)
    groups: dict[str, list[str]] = {}
    for n in parent:
        groups.setdefault(root(n), []).append(n)
    return sorted(groups.values(), key=lambda g: values.index(g[0]))


def source_ranks(sources: pd.DataFrame) -> pd.DataFrame:
    """Each source's tier and publication date, indexed by source_id."""
    tier = sources["source_type"].astype(object).map(TIERS).fillna(UNKNOWN_TIER).astype(int)
    published = pd.to_datetime(sources["published_date"])
    return pd.DataFrame({"tier": tier.to_numpy(), "published": published.to_numpy()}, index=sources["source_id"])


def ranked(claims: pd.DataFrame, schema: TableSchema, sources: pd.DataFrame) -> pd.DataFrame:
    """The claims in good standing, each with `_fact` (an integer per fact key) and `_tier`, sorted
    best first within each fact."""
    if "deprecation_reason" in claims:
        claims = claims[claims["deprecation_reason"].isna()]
    ranks = source_ranks(sources)
    ids = claims["source_id"].astype(object)
    tier = ids.map(ranks["tier"]).fillna(UNKNOWN_TIER).astype(int)
    published = pd.to_datetime(ids.map(ranks["published"]))
    # Newest first: a missing publication date ranks after every known one.
    age = -published.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
    age[published.isna().to_numpy()] = np.inf
    forecast = (
        claims["basis"].astype(object).eq("forecast").to_numpy()
        if "basis" in claims
        else np.zeros(len(claims), dtype=bool)
    )
    fact = key_text(claims, schema.fact_key)
    # Facts numbered in the order of their key values (the order of the CSV file), part by part.
    parts = pd.DataFrame({k: key_part(claims[k]) for k in schema.fact_key})
    out = claims.assign(
        _fact=parts.groupby(list(parts.columns), sort=True, dropna=False).ngroup().to_numpy(),
        _fact_key=fact.to_numpy(),
        _forecast=forecast,
        _tier=tier.to_numpy(),
        _age=age,
        _not_preferred=~claims["preferred"].fillna(False).astype(bool).to_numpy(),
        _source=ids.to_numpy(),
    )
    return out.sort_values(ORDER, kind="stable")


PRECISION_RANK = {"day": 0, "month": 1, "year": 2}
ORDER = ["_fact", "_forecast", "_tier", "_age", "_not_preferred", "_source"]


def by_precision(order: pd.DataFrame, precision: str) -> pd.DataFrame:
    """`order` with a date known to the day ranked before one known to the month or year from a source of
    the same tier: of two claims that both hold, the more precise one says more."""
    rank = order[precision].astype(object).map(PRECISION_RANK).fillna(len(PRECISION_RANK)).astype(int)
    keys = [*ORDER[:3], "_precision_rank", *ORDER[3:]]
    return order.assign(_precision_rank=rank.to_numpy()).sort_values(keys, kind="stable")


@dataclass
class Resolution:
    facts: pd.DataFrame  # one row per fact key: the key and the resolved value fields, typed as the claims
    sources: pd.DataFrame  # same shape as `facts`' value fields: the source_id of each shown value
    fact_key: pd.Series  # each fact's key as text (see `key_text`), aligned with `facts`
    ranked: pd.DataFrame  # the claims in good standing, best first within each fact (see `ranked`)
    make_provenance: Callable[[], pd.DataFrame] = field(repr=False, compare=False)

    @cached_property
    def provenance(self) -> pd.DataFrame:
        """One row per shown value: PROVENANCE_COLUMNS. Made when first asked for: the derived tables do
        not need it, and it costs as much as the resolution itself."""
        return self.make_provenance()


def _first_stating(order: pd.DataFrame, fields: list[str], allowed: pd.Series | None = None) -> pd.Series:
    """For each fact, the label of the best-ranked claim stating any of `fields` (and `allowed`)."""
    stated = order[fields].notna().any(axis=1)
    if allowed is not None:
        stated &= allowed
    best = order[stated].drop_duplicates("_fact")
    return pd.Series(best.index, index=best["_fact"].to_numpy())


def resolve(claims: pd.DataFrame, schema: TableSchema, sources: pd.DataFrame, table: str = "") -> Resolution:
    """Resolve a claim table (see the module's docstring)."""
    order = ranked(claims, schema, sources)
    facts = order.drop_duplicates("_fact").set_index("_fact")
    out = {k: facts[k] for k in schema.fact_key}
    winners: dict[str, pd.Series] = {}
    unit_of = {f.name: f.unit for f in schema.fields if f.unit}
    fact_unit: dict[str, pd.Series] = {}
    for unit in sorted(set(unit_of.values())):
        measured = [n for n, u in unit_of.items() if u == unit]
        chosen = _first_stating(order, measured)
        fact_unit[unit] = pd.Series(order.loc[chosen.to_numpy(), unit].to_numpy(), index=chosen.index)
        winners[unit] = chosen
    for group in field_groups(schema):
        units = {unit_of[n] for n in group if n in unit_of}
        precision = next((n for n in group if n.endswith("_precision")), None)
        candidates = order if precision is None else by_precision(order, precision)
        allowed = None
        for unit in units:  # the claim's currency must be the fact's
            wanted = candidates["_fact"].map(fact_unit[unit]).astype("string")
            same = candidates[unit].astype("string").eq(wanted.to_numpy()).fillna(False).astype(bool)
            allowed = same if allowed is None else allowed & same
        chosen = _first_stating(candidates, group, allowed)
        for n in group:
            winners[n] = chosen
    cited = {}
    for n in schema.value_fields:
        chosen = winners.get(n, pd.Series(dtype=object))
        values = claims[n].loc[chosen.to_numpy()] if len(chosen) else claims[n].iloc[:0]
        column = pd.Series(values.to_numpy(), index=chosen.index, dtype=claims[n].dtype).reindex(facts.index)
        out[n] = column
        source = pd.Series(order.loc[chosen.to_numpy(), "_source"].to_numpy(), index=chosen.index, dtype="string")
        cited[n] = source.reindex(facts.index).where(column.notna().to_numpy())
    frame = pd.DataFrame(out, index=facts.index)[schema.fact_key + schema.value_fields].reset_index(drop=True)
    return Resolution(
        facts=frame,
        sources=pd.DataFrame(cited, index=facts.index).reset_index(drop=True),
        make_provenance=partial(_provenance, claims, order, winners, schema, table),
        fact_key=pd.Series(facts["_fact_key"].to_numpy(), dtype="string"),
        ranked=order,
    )


def _provenance(
    claims: pd.DataFrame,
    order: pd.DataFrame,
    winners: dict[str, pd.Series],
    schema: TableSchema,
    table: str,
) -> pd.DataFrame:
    parts = []
    for n in schema.value_fields:
        chosen = winners.get(n)
        if chosen is None or not len(chosen):
            continue
        rows = order.loc[chosen.to_numpy()]
        values = claims.loc[chosen.to_numpy(), n]
        shown = values.notna().to_numpy()
        f = schema.field(n)
        parts.append(
            pd.DataFrame(
                {
                    "table": table,
                    "fact_key": rows["_fact_key"].to_numpy()[shown],
                    "field": n,
                    "value": format_column(values[shown], f),
                    "source_id": rows["_source"].to_numpy()[shown],
                    "tier": rows["_tier"].to_numpy()[shown],
                    "evidence": rows["evidence"].to_numpy()[shown],
                    "_fact": rows["_fact"].to_numpy()[shown],
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROVENANCE_COLUMNS})
    prov = pd.concat(parts, ignore_index=True)
    position = {n: i for i, n in enumerate(schema.value_fields)}
    prov = prov.assign(_pos=prov["field"].map(position)).sort_values(["_fact", "_pos"], kind="stable")
    return prov.drop(columns=["_pos", "_fact"]).reset_index(drop=True).astype({"tier": "Int64"})
