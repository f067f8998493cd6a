"""Rebuild every derived table from the curated ones. Deterministic: twice gives the same bytes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..citation import citation
from ..csvio import read_raw
from ..files import write_atomically
from ..loaders import load, schema, to_csv
from ..package import open_package, read_json
from ..resolve import Resolution, resolve
from ..tableschema import TableSchema
from .croissant import croissant
from .dictionary import data_dictionary, worked_example
from .disputes import build_disputes
from .figures import draw_figures
from .financials_usd import build_financials_usd
from .fx import Rates, fx_table, read_ecb
from .manifest import MANIFEST, manifest_text, up_to_date
from .release import citation_cff, zenodo
from .summary import build_summary, rounds_in_usd
from .valuations import build_valuations

DICTIONARY = "docs/data-dictionary.md"
CROISSANT = "croissant.json"
FIGURES = "docs/figures"


@dataclass
class BuildResult:
    stale: list[str]  # derived files whose committed text differs from a rebuild
    written: list[str]


def currencies_used(claims: dict[str, pd.DataFrame]) -> list[str]:
    found: set[str] = set()
    for name in ("funding_rounds", "listings", "market_caps"):
        found.update(claims[name]["currency"].dropna().astype(str))
    units = claims["financials"]["unit"].dropna().astype(str)
    found.update(units[units.str.fullmatch(r"[A-Z]{3}")])
    return sorted(found)


def years_spanned(claims: dict[str, pd.DataFrame]) -> tuple[int, int]:
    """First and last year of any date in a claim table (the facts that need exchange rates)."""
    frames = [frame for frame in claims.values() if "preferred" in frame]
    years = [frame[c].dropna().dt.year for frame in frames for c in frame.select_dtypes("datetime").columns]
    every = pd.concat(years) if years else pd.Series(dtype=int)
    return (int(every.min()), int(every.max())) if len(every) else (0, 0)


@dataclass
class Derived:
    claims: dict[str, pd.DataFrame]  # curated tables, every claim
    facts: dict[str, Resolution]  # claim tables, resolved
    frames: dict[str, pd.DataFrame]  # derived
    rounds_usd: pd.DataFrame


def derive_all(root: Path | str | None = None) -> Derived:
    pkg = open_package(root)
    curated = [r.name for r in pkg.resources.values() if not r.derived]
    schemas = {name: schema(name, root=pkg.root) for name in curated}
    claims = {name: load(name, claims="all", root=pkg.root) for name in curated}
    facts = {
        name: resolve(claims[name], schemas[name], claims["sources"], name)
        for name in curated
        if schemas[name].is_claims
    }
    rates = Rates(read_ecb())
    valuations = build_valuations(facts["funding_rounds"], facts["market_caps"], rates)
    fin_usd = build_financials_usd(facts["financials"], rates)
    companies = facts["companies"].facts
    rounds_usd = rounds_in_usd(facts["funding_rounds"], companies, rates)
    summary = build_summary(
        companies, valuations, fin_usd, rounds_usd, facts["listings"], facts["model_releases"], rates
    )
    frames = {
        "fx_rates": fx_table(rates, currencies_used(claims), years_spanned(claims)),
        "valuations": valuations,
        "financials_usd": fin_usd,
        "company_summary": summary,
        "disputes": build_disputes(schemas, facts, rates),
    }
    return Derived(claims, facts, frames, rounds_usd)


def derive(root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The derived tables as frames, from the curated tables at `root`."""
    return derive_all(root).frames


def outputs(root: Path | str | None = None) -> dict[str, bytes]:
    """Every generated file, by path relative to the package root: derived CSVs, docs, figures."""
    pkg = open_package(root)
    result = derive_all(pkg.root)
    files = {
        pkg.resources[name].path: to_csv(frame, name, root=pkg.root).encode("utf-8")
        for name, frame in result.frames.items()
    }
    raw = {
        name: read_raw(pkg.root / res.path, res.path, TableSchema.read(pkg.root / res.schema_path)).frame
        for name, res in pkg.resources.items()
    }
    for name, text in files.items():
        res = next(r for r in pkg.resources.values() if r.path == name)
        raw[res.name] = pd.read_csv(io.BytesIO(text), dtype="string", keep_default_na=False)
    units = {
        name: {f["name"]: f.get("unit", "") for f in read_json(pkg.root / res.schema_path)["fields"]}
        for name, res in pkg.resources.items()
    }
    releases = "model_releases"
    example = worked_example(releases, result.claims[releases], result.facts[releases], schema(releases, pkg.root))
    files[DICTIONARY] = data_dictionary(pkg, raw, units, example).encode("utf-8")
    footer = (
        f"Source: ai-labs-data {pkg.version}, data cut-off {pkg.data_cutoff}. Each value cites a public source "
        "(data/sources.csv); USD at ECB reference rates."
    )
    resolved = {name: r.facts for name, r in result.facts.items()}
    for name, png in draw_figures(result.frames, resolved, result.rounds_usd, footer).items():
        files[f"{FIGURES}/{name}"] = png
    files[CROISSANT] = croissant(pkg, files, citation("bibtex", pkg.root)).encode("utf-8")
    cff = pkg.root / "CITATION.cff"
    if cff.is_file():
        files["CITATION.cff"] = citation_cff(pkg, cff.read_text(encoding="utf-8")).encode("utf-8")
    files[".zenodo.json"] = zenodo(pkg).encode("utf-8")
    files[MANIFEST] = manifest_text(pkg, files).encode("utf-8")
    return files


def build(root: Path | str | None = None, check: bool = False, force: bool = False) -> BuildResult:
    """Write every generated file (or, with check=True, only list those that are stale). Nothing is
    rebuilt when the build's manifest shows the inputs and outputs unchanged since the last build, unless
    `force`; a check always rebuilds in memory and compares every byte."""
    pkg = open_package(root)
    result = BuildResult([], [])
    if not check and not force and up_to_date(pkg):
        return result
    for rel, data in outputs(pkg.root).items():
        path = pkg.root / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        if check:
            result.stale.append(rel)
        else:
            write_atomically(path, data)
            result.written.append(rel)
    return result
