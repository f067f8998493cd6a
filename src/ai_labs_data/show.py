"""One fact, field by field: the value shown, the source and its words, and every competing value.

    $ ai-labs-data show deepseek/deepseek-v3

is what a journalist checking a number needs: for each field, where the value comes from (source,
publisher, tier, address), the excerpt that states it, and what other sources say.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .loaders import claim_tables, load, schema
from .quotes import excerpts, states_number
from .resolve import key_text, ranked, resolve
from .tableschema import Field, TableSchema, format_cell
from .types import TYPES


@dataclass
class Match:
    table: str
    schema: TableSchema
    claims: pd.DataFrame  # the fact's claims in good standing, best first (see resolve.ranked)
    deprecated: pd.DataFrame  # the fact's deprecated claims
    fact: pd.Series  # the resolved fact
    cited: pd.Series  # the source of each shown value


def find(key: str, root: Path | str | None = None, table: str | None = None) -> tuple[list[Match], list[str]]:
    """The facts whose key (as text, parts joined by |) is `key`, and near misses when there is none."""
    sources = load("sources", claims="all", root=root)
    found, keys = [], []
    for name in [table] if table else claim_tables(root):
        ts = schema(name, root)
        claims = load(name, claims="all", root=root)
        order = ranked(claims, ts, sources)
        keys += order["_fact_key"].unique().tolist()
        mine = order[order["_fact_key"] == key]
        if mine.empty:
            continue
        every = claims[key_text(claims, ts.fact_key).eq(key).fillna(False).to_numpy(dtype=bool)]
        resolution = resolve(every, ts, sources, name)
        deprecated = every.drop(index=mine.index)
        found.append(Match(name, ts, mine, deprecated, resolution.facts.iloc[0], resolution.sources.iloc[0]))
    near = [] if found else difflib.get_close_matches(key, keys, n=5, cutoff=0.6)
    return found, near


def _quote(evidence: str, value: object, f: Field) -> list[str]:
    """The excerpts of a claim's evidence that state `value`: for a number, those that write it; else all."""
    parts = excerpts(evidence)
    if TYPES[f.type].numeric:
        stating = [e for e in parts if states_number(e, value)]
        return stating or parts
    return parts


def render(match: Match, sources: pd.DataFrame) -> str:
    """The fact's shown values grouped by the claim that supplies them, each group with its source and
    quote; then every value another claim in good standing gives differently; then the deprecated claims."""
    by_id = sources.set_index("source_id")
    ts = match.schema
    key = " | ".join(f"{k}={format_cell(match.fact[k], ts.field(k))}" for k in ts.fact_key)
    count = f"{len(match.claims)} claim(s) in good standing"
    if len(match.deprecated):
        count += f", {len(match.deprecated)} deprecated"
    lines = [f"{match.table}: {key} ({count})"]
    shown = [n for n in ts.value_fields if not pd.isna(match.fact[n])]
    for source_id in dict.fromkeys(match.cited[n] for n in shown):
        claim = match.claims[match.claims["source_id"] == source_id].iloc[0]
        lines.append("")
        if source_id in by_id.index:
            src = by_id.loc[source_id]
            lines.append(f"  from {source_id}: {src['publisher']} ({src['source_type']}, tier {claim['_tier']})")
            lines.append(f"  {src['url']}")
        quoted: list[str] = []
        for n in shown:
            if match.cited[n] != source_id:
                continue
            f = ts.field(n)
            lines.append(f"    {n} = {format_cell(match.fact[n], f)}")
            quoted += [q for q in _quote(claim["evidence"], match.fact[n], f) if q not in quoted]
        lines += [f"    “{q}”" for q in quoted]
    competing = []
    for n in shown:
        f = ts.field(n)
        text = format_cell(match.fact[n], f)
        others = match.claims[match.claims[n].notna()]
        for value, source_id, tier in zip(others[n], others["source_id"], others["_tier"], strict=True):
            if format_cell(value, f) != text:
                competing.append(f"  {n} = {format_cell(value, f)}  by {source_id} (tier {tier})")
    if competing:
        lines += ["", "other values claimed:", *competing]
    for source_id, reason in zip(match.deprecated["source_id"], match.deprecated["deprecation_reason"], strict=True):
        lines += ["", f"deprecated claim by {source_id}: {reason}"]
    return "\n".join(lines)


def show(key: str, root: Path | str | None = None, table: str | None = None) -> tuple[str, bool]:
    """The text `ai-labs-data show` prints, and whether the fact was found."""
    matches, near = find(key, root, table)
    if not matches:
        hint = f"; did you mean: {', '.join(near)}" if near else ""
        return f"no fact with key {key!r}{hint}", False
    sources = load("sources", claims="all", root=root)
    return "\n\n".join(render(m, sources) for m in matches), True
