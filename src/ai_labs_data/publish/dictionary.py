"""docs/data-dictionary.md, generated from the Table Schemas and the data (never written by hand)."""

from __future__ import annotations

import pandas as pd

from ..package import Package
from ..resolve import Resolution
from ..tableschema import Field, TableSchema, format_cell

DICTIONARY = "docs/data-dictionary.md"
# The fact the dictionary's worked example shows: one model stated by several sources.
EXAMPLE_TABLE = "model_releases"
EXAMPLE_FACT = "anthropic/claude-opus-4.6"

CONSTRAINT_TEXT = {
    "required": lambda v: "required" if v else "",
    "unique": lambda v: "unique" if v else "",
    "enum": lambda v: "one of " + ", ".join(f"`{x}`" for x in v),
    "minimum": lambda v: f">= {v}",
    "maximum": lambda v: f"<= {v}",
    "pattern": lambda v: f"pattern `{v}`",
    "minLength": lambda v: f"length >= {v}",
    "maxLength": lambda v: f"length <= {v}",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _constraints(f: Field) -> str:
    parts = [CONSTRAINT_TEXT[k](v) for k, v in f.constraints.items() if k in CONSTRAINT_TEXT]
    if f.quoted:
        parts.append("written in `evidence`")
    return "; ".join(p for p in parts if p)


def _examples(raw: pd.Series, limit: int = 3, width: int = 40) -> str:
    values = raw[raw.notna() & (raw != "")].drop_duplicates().head(limit)
    return ", ".join(f"`{v if len(v) <= width else v[: width - 3] + '...'}`" for v in values.astype(str))


def worked_example(table: str, claims: pd.DataFrame, resolved: Resolution, schema: TableSchema) -> list[str]:
    """Markdown: the claims of one fact (EXAMPLE_FACT, else the first fact whose shown values come from
    three sources), then its resolved row with the source of each value, computed from the data."""
    key = resolved.fact_key
    spread = resolved.sources.nunique(axis=1)
    position = next(iter(key.index[key.eq(EXAMPLE_FACT)]), None)
    if position is None:
        position = next(iter(spread.index[spread >= 3]), 0)
    fact_key = key.iloc[position]
    fact = resolved.facts.iloc[position]
    mine = claims[(claims[schema.fact_key[0]] == fact[schema.fact_key[0]]).to_numpy()]
    shown = [n for n in schema.value_fields if not pd.isna(fact[n])]
    out = [
        "## Claims and resolved facts",
        "",
        "A row of a fact table is a **claim**: one source's statement of the values it gives for one fact. "
        "`ai_labs_data.load(table)` returns the **resolved facts**: one row per fact key, each field taken from "
        "the best claim in good standing that states it (source tier, then the source's recency, then the claim "
        "marked `preferred`; a date known to the day before one known to the month from the same tier; a "
        "deprecated claim never). `ai_labs_data.provenance(table)` gives the source and quote of every shown "
        'value, `load(table, claims="all")` every claim, `ai-labs-data show KEY` one fact field by field, and '
        "`disputes` every field on which claims disagree.",
        "",
        f"Worked example, `{table}` `{fact_key}` ({len(mine)} claims):",
        "",
        "| source_id | fields it states |",
        "|---|---|",
    ]
    for row in mine.itertuples(index=False):
        stated = [
            f"{n}={format_cell(getattr(row, n), schema.field(n))}"
            for n in schema.value_fields
            if not pd.isna(getattr(row, n)) and n not in ("company_id", "name", "family")
        ]
        out.append(f"| `{row.source_id}` | {_cell(', '.join(stated))} |")
    out += ["", "Resolved (`load`), with the source of each value (`provenance`):", "", "| field | value | source |"]
    out.append("|---|---|---|")
    for n in shown:
        value = format_cell(fact[n], schema.field(n))
        out.append(f"| `{n}` | {_cell(value)} | `{resolved.sources.iloc[position][n]}` |")
    return out


def data_dictionary(
    pkg: Package,
    raw_tables: dict[str, pd.DataFrame],
    schemas: dict[str, TableSchema],
    example: list[str] | None = None,
) -> str:
    d = pkg.descriptor
    out = [
        f"# Data dictionary: {d.get('title', d.get('name'))}",
        "",
        "Generated from `datapackage.json` and `schemas/*.json` by `ai-labs-data build`; do not edit.",
        "",
        f"Version {pkg.version}, data cut-off {pkg.data_cutoff}. Licence: "
        + ", ".join(lic.get("name", "") for lic in d.get("licenses", []))
        + ".",
        "",
        "Conventions: UTF-8 CSV with `\\n` line endings; dates `YYYY-MM-DD` (with `date_precision` when a source "
        "gives only a month or year: the date is then the first day); money in full units of the row's ISO 4217 "
        "currency; shares and margins in percent; losses negative; empty cell = not stated.",
        "",
        "USD conversion (derived tables): a dated value uses the ECB reference rate of that day or of the latest "
        "earlier ECB business day (the rate's date is recorded); a period figure uses the average of the daily "
        "rates over the ECB business days in the period; a date past the ECB data gets no USD value and a note.",
        "",
        *([*example, ""] if example else []),
        "## Tables",
        "",
        "| table | kind | rows | description |",
        "|---|---|---|---|",
    ]
    for res in pkg.resources.values():
        rows = len(raw_tables[res.name])
        kind = "derived" if res.derived else "curated"
        desc = res.description
        out.append(f"| [`{res.name}`](#{res.name}) | {kind} | {rows} | {_cell(desc)} |")
    for res in pkg.resources.values():
        schema = schemas[res.name]
        raw = raw_tables[res.name]
        desc = res.description
        out += ["", f"## {res.name}", "", desc, "", f"- File: `{res.path}`; schema: `{res.schema_path}`"]
        out.append(f"- Primary key: {', '.join(f'`{k}`' for k in schema.primary_key)}")
        for fk in schema.foreign_keys:
            ref = ", ".join(fk.reference_fields)
            out.append(f"- Foreign key: `{', '.join(fk.fields)}` -> `{fk.resource}.{ref}`")
        out += ["", "| field | type | unit | constraints | description | examples |", "|---|---|---|---|---|---|"]
        for f in schema.fields:
            unit = f.unit_label
            examples = _examples(raw[f.name]) if f.name in raw else ""
            out.append(
                f"| `{f.name}` | {f.type} | {_cell(unit)} | {_cell(_constraints(f))} | {_cell(f.description)} "
                f"| {_cell(examples)} |"
            )
    return "\n".join(out) + "\n"
