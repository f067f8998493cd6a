"""A one-screen description of the installed package: version, cut-off, rows, sources, companies."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from . import __version__
from .package import TIERS, Package, package


def _read(pkg: Package, path: str) -> list[dict[str, str]]:
    """A table's rows as text; a file that is missing or not UTF-8 is an error naming it (one line)."""
    return list(csv.DictReader(io.StringIO(pkg.text(path), newline="")))


def info(root: Path | str | None = None) -> str:
    pkg = package(root)
    tables = {name: _read(pkg, res.path) for name, res in pkg.resources.items()}
    out = [
        f"ai-labs-data {__version__} (data package {pkg.version}), data cut-off {pkg.data_cutoff}",
        f"data: {pkg.root}",
        "",
        "rows per table:",
    ]
    width = max(map(len, tables), default=0)
    for name, rows in tables.items():
        line = f"  {name:{width}s} {len(rows):>7}"
        schema = pkg.schema(name)
        if pkg.resources[name].derived:
            line += "  (derived)"
        elif schema.is_claims:
            # A claim table's rows are claims; what a user counts is its facts (a model, a round).
            facts = {tuple(row.get(k, "") for k in schema.fact_key) for row in rows}
            line += f"  claims of {len(facts)} facts ({', '.join(schema.fact_key)})"
        out.append(line)
    kinds = Counter(row["source_type"] for row in tables.get("sources", []))
    out += ["", "sources by tier:"]
    out += [
        f"  tier {TIERS.get(kind, '?')} {kind:11s} {n:>5}"
        for kind, n in sorted(kinds.items(), key=lambda kv: (TIERS.get(kv[0], 9), kv[0]))
    ]
    # Companies are claims: one line per company (its resolved facts), not per source.
    from .loaders import load

    companies = load("companies", root=pkg.root) if "companies" in tables else None
    if companies is not None:
        by_country = Counter(companies["country"].astype(str))
        out += [
            "",
            f"companies covered: {len(companies)} ("
            + ", ".join(f"{c} {n}" for c, n in sorted(by_country.items()))
            + ")",
        ]
        out.append("  " + ", ".join(sorted(companies["company_id"].astype(str))))
    return "\n".join(out)
