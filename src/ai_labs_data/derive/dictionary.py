"""docs/data-dictionary.md, generated from the Table Schemas and the data (never written by hand)."""

from __future__ import annotations

import pandas as pd

from ..package import Package
from ..tableschema import Field, TableSchema

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
    return "; ".join(p for p in parts if p)


def _examples(raw: pd.Series, limit: int = 3, width: int = 40) -> str:
    values = raw[raw.notna() & (raw != "")].drop_duplicates().head(limit)
    return ", ".join(f"`{v if len(v) <= width else v[: width - 3] + '...'}`" for v in values.astype(str))


def data_dictionary(pkg: Package, raw_tables: dict[str, pd.DataFrame], unit_of: dict[str, dict[str, str]]) -> str:
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
        "## Tables",
        "",
        "| table | kind | rows | description |",
        "|---|---|---|---|",
    ]
    for res in pkg.resources.values():
        rows = len(raw_tables[res.name])
        kind = "derived" if res.derived else "curated"
        desc = next(r.get("description", "") for r in d["resources"] if r["name"] == res.name)
        out.append(f"| [`{res.name}`](#{res.name}) | {kind} | {rows} | {_cell(desc)} |")
    for res in pkg.resources.values():
        schema = TableSchema.read(pkg.root / res.schema_path)
        raw = raw_tables[res.name]
        desc = next(r.get("description", "") for r in d["resources"] if r["name"] == res.name)
        out += ["", f"## {res.name}", "", desc, "", f"- File: `{res.path}`; schema: `{res.schema_path}`"]
        out.append(f"- Primary key: {', '.join(f'`{k}`' for k in schema.primary_key)}")
        for fk in schema.foreign_keys:
            ref = ", ".join(fk.reference_fields)
            out.append(f"- Foreign key: `{', '.join(fk.fields)}` -> `{fk.resource}.{ref}`")
        out += ["", "| field | type | unit | constraints | description | examples |", "|---|---|---|---|---|---|"]
        for f in schema.fields:
            unit = unit_of.get(res.name, {}).get(f.name, "")
            examples = _examples(raw[f.name]) if f.name in raw else ""
            out.append(
                f"| `{f.name}` | {f.type} | {_cell(unit)} | {_cell(_constraints(f))} | {_cell(f.description)} "
                f"| {_cell(examples)} |"
            )
    return "\n".join(out) + "\n"
