"""Generate a synthetic package in this project's schema, valid by construction, and a variant with
planted errors whose exact locations are written to expected.json.

    python benchmarks/generate.py OUT_DIR [--rounds 1000000] [--errors 1000]

Writes OUT_DIR/valid and OUT_DIR/invalid (each a full package: datapackage.json, schemas/, data/).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

import ai_labs_data

REPO = Path(__file__).resolve().parents[1]
CURATED = ai_labs_data.tables(root=REPO, derived=False)


def ids(prefix: str, n: int, width: int = 7) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(n).astype(str), width))


def days(start: str, offsets: np.ndarray) -> np.ndarray:
    return (pd.Timestamp(start) + pd.to_timedelta(offsets, unit="D")).strftime("%Y-%m-%d").to_numpy()


def _sentences(*parts: object) -> np.ndarray:
    """Text pieces and number columns joined row by row into one string per row."""
    out = np.array("", dtype=object)
    for part in parts:
        out = out + (np.asarray(part).astype(str).astype(object) if not isinstance(part, str) else part)
    return out


def tables(n_rounds: int) -> dict[str, pd.DataFrame]:
    n_companies, n_sources, n_investors = max(n_rounds // 100, 10), max(n_rounds // 10, 10), max(n_rounds // 100, 10)
    n_public = max(n_companies // 10, 1)
    n_facts = max(n_rounds // 5, 10)
    rng = np.random.default_rng(7)
    src = ids("src-", n_sources)
    comp = ids("co-", n_companies, 5)
    i = np.arange(n_companies)
    companies = pd.DataFrame(
        {
            "company_id": comp,
            "name": np.char.add("Company ", i.astype(str)),
            "name_local": "",
            "legal_name": "",
            "kind": "startup",
            "status": np.where(i < n_public, "public", "private"),
            "parent_company_id": "",
            "country": np.where(i % 2 == 0, "CN", "US"),
            "hq_city": "Beijing",
            "founded_date": days("2000-01-01", i % 5000),
            "date_precision": "day",
            "website": "",
            "source_id": src[i % n_sources],
            "evidence": "The company was founded, the source says, on that day.",
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    j = np.arange(n_sources)
    sources = pd.DataFrame(
        {
            "source_id": src,
            "url": np.char.add("https://example.org/news/", j.astype(str)),
            "title": np.char.add("Report ", j.astype(str)),
            "publisher": "Example News",
            "author": "",
            "published_date": days("2020-01-01", j % 2000),
            "accessed_date": "2026-11-25",
            "language": "en",
            "source_type": np.array(["filing", "official", "wire", "press", "aggregator"])[j % 5],
        }
    )
    k = np.arange(n_investors)
    investors = pd.DataFrame(
        {
            "investor_id": ids("inv-", n_investors, 6),
            "name": np.char.add("Investor ", k.astype(str)),
            "name_local": "",
            "kind": np.array(["venture_capital", "corporate", "state_fund", "private_equity"])[k % 4],
            "country": "US",
            "company_id": "",
        }
    )
    r = np.arange(n_rounds)
    amount = (rng.integers(1, 1000, n_rounds) * 1_000_000).astype(np.int64)
    pre = (rng.integers(1, 100, n_rounds) * 100_000_000).astype(np.int64)
    rounds = pd.DataFrame(
        {
            "round_id": ids("r-", n_rounds),
            "source_id": src[r % n_sources],
            "company_id": comp[r % n_companies],
            "round_label": "Series A",
            "round_type": "series_a",
            "status": "closed",
            "announced_date": days("2015-01-01", r % 3000),
            "date_precision": "day",
            "amount": amount,
            "amount_basis": "reported",
            "pre_money_valuation": pre,
            "post_money_valuation": pre + amount,
            "valuation": "",
            "valuation_basis": "reported",
            "currency": "USD",
            # Every number a claim records is written in its evidence (the value-quoted rule).
            "evidence": _sentences(
                "In round 1 the company raised $", amount, " at a pre-money valuation of $", pre, ", $", pre + amount
            ),
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    round_investors = pd.DataFrame(
        {
            "round_id": rounds["round_id"],
            "investor_id": investors["investor_id"].to_numpy()[r % n_investors],
            "is_lead": np.where(r % 2 == 0, "true", "false"),
            "source_id": rounds["source_id"],
            "evidence": "The investor led the round, the source says.",
        }
    )
    p = np.arange(n_public)
    listings = pd.DataFrame(
        {
            "company_id": comp[:n_public],
            "exchange": "XHKG",
            "source_id": src[p % n_sources],
            "ticker": np.char.zfill(p.astype(str), 4),
            "listing_date": days("2014-01-01", p % 300),
            "offer_price": "10.5",
            "gross_proceeds": 1_000_000_000,
            "gross_proceeds_with_overallotment": "",
            "currency": "HKD",
            "evidence": "The shares began trading at HK$10.5, raising HK$1 billion, the source says.",
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    f = np.arange(n_facts)
    year = 2014 + (f // (2 * n_companies)) % 12
    financials = pd.DataFrame(
        {
            "company_id": comp[(f // 2) % n_companies],
            "metric": np.where(f % 2 == 0, "revenue", "net_income"),
            "period_start": np.char.add(year.astype(str), "-01-01"),
            "period_end": np.char.add(year.astype(str), "-12-31"),
            "date_precision": "day",
            "source_id": src[f % n_sources],
            "value": np.where(f % 2 == 0, 1_000_000, -500_000),
            "unit": "CNY",
            "basis": "reported",
            "evidence": "Revenue was 1,000,000 yuan and the net loss 500,000 yuan, the source says.",
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    releases = pd.DataFrame(
        {
            "model_id": np.char.add(np.char.add(comp[f % n_companies], "/m-"), f.astype(str)),
            "source_id": src[f % n_sources],
            "company_id": comp[f % n_companies],
            "name": np.char.add("Model ", f.astype(str)),
            "family": "Model",
            "release_date": days("2016-01-01", f % 3000),
            "date_precision": "day",
            "open_weights": np.where(f % 3 == 0, "true", "false"),
            "license": "Apache-2.0",
            "license_name": "",
            "modalities": "text;image",
            "architecture": "moe",
            "params_total": 100_000_000_000,
            "params_active": 10_000_000_000,
            "context_length": 128000,
            "evidence": "Model | Total | Active | Context … Model | 100B | 10B | 128K",
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    caps = pd.DataFrame(
        {
            "company_id": comp[f % n_public],
            "date": days("2015-01-01", f // n_public),
            "source_id": src[f % n_sources],
            "market_cap": 50_000_000_000,
            "currency": "HKD",
            "share_price": "12.25",
            "basis": "reported",
            "evidence": "Its market capitalisation closed at HK$50 billion, its shares at HK$12.25, the source says.",
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    # One priced, generally available API model for every fourth model, with its repository.
    m = f[f % 4 == 0]
    api = np.char.add("api-", m.astype(str))
    model = releases["model_id"].to_numpy()[m]
    priced = days("2016-01-11", m % 3000)  # ten days after the release
    prices = pd.DataFrame(
        {
            "model_id": model,
            "api_model_id": api,
            "tier": "standard",
            "currency": "USD",
            "effective_date": priced,
            "source_id": src[m % n_sources],
            "date_basis": "effective",
            "end_date": "",
            "input_per_mtok": "0.5",
            "cached_input_per_mtok": "",
            "output_per_mtok": "2",
            "condition": "",
            "evidence": _sentences(api, " | $0.5 per million input tokens | $2 per million output tokens"),
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    lifecycle = pd.DataFrame(
        {
            "model_id": model,
            "api_model_id": api,
            "stage": "generally_available",
            "source_id": src[m % n_sources],
            "date": priced,
            "date_precision": "day",
            "replacement": "",
            "evidence": _sentences(api, " is generally available from today."),
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    repo = np.char.add("example-org/Model-", m.astype(str))
    model_ids = pd.DataFrame(
        {
            "model_id": model,
            "scheme": "huggingface",
            "identifier": repo,
            "source_id": src[m % n_sources],
            "evidence": _sentences("Weights: https://huggingface.co/", repo),
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    company_ids = pd.DataFrame(
        {
            "company_id": comp,
            "scheme": "github",
            "identifier": comp,
            "source_id": src[i % n_sources],
            "evidence": _sentences("Code: https://github.com/", comp),
            "preferred": "true",
            "deprecation_reason": "",
        }
    )
    return {
        "sources": sources,
        "companies": companies,
        "investors": investors,
        "funding_rounds": rounds,
        "round_investors": round_investors,
        "listings": listings,
        "financials": financials,
        "model_releases": releases,
        "market_caps": caps,
        "model_prices": prices,
        "model_lifecycle": lifecycle,
        "model_identifiers": model_ids,
        "company_identifiers": company_ids,
    }


# Planted errors: (kind, table, field, value, rule). Each is planted in a distinct row of funding_rounds
# or another table, chosen so that the plant breaks exactly one rule at exactly one cell.
PLANTS = [
    ("type", "funding_rounds", "amount", "12x", "type"),
    ("date", "funding_rounds", "announced_date", "2021-02-30", "type"),
    ("range", "funding_rounds", "pre_money_valuation", "-5", "minimum"),
    ("enum", "funding_rounds", "round_type", "series_z", "enum"),
    ("pattern", "funding_rounds", "currency", "usd", "pattern"),
    ("foreign key", "funding_rounds", "company_id", "co-missing", "foreign-key"),
    ("cross-column", "funding_rounds", "post_money_valuation", "1", "valuation-sum"),
    ("preferred", "funding_rounds", "preferred", "false", "one-preferred"),
    ("formula injection", "funding_rounds", "round_label", "=HYPERLINK(1)", "formula-injection"),
    ("unquoted value", "market_caps", "market_cap", "777", "value-quoted"),
    ("long excerpt", "companies", "evidence", "The company was founded " + "x" * 280, "evidence-excerpt"),
    ("boolean", "model_releases", "open_weights", "yes", "type"),
    ("required", "market_caps", "market_cap", "", "required"),
    ("negative price", "model_prices", "output_per_mtok", "-2", "price-positive"),
]


def plant(frames: dict[str, pd.DataFrame], n_errors: int) -> list[dict]:
    """Plant n_errors defects (plus duplicate keys) into the frames; return what must be reported."""
    expected = []
    kinds = len(PLANTS) + 1
    per_kind = n_errors // kinds
    rng = np.random.default_rng(11)
    used: dict[str, set[int]] = {}
    for kind, table, field, value, rule in PLANTS:
        frame = frames[table]
        free = np.setdiff1d(np.arange(len(frame)), np.fromiter(used.get(table, set()), dtype=np.int64))
        rows = rng.choice(free, size=per_kind, replace=False)
        used.setdefault(table, set()).update(rows.tolist())
        column = list(frame.columns).index(field)
        frame[field] = frame[field].astype(object)
        frame.loc[rows, field] = value
        expected += [
            {"kind": kind, "file": f"data/{table}.csv", "line": int(row) + 2, "column": column + 1, "rule": rule}
            for row in rows
        ]
    # Duplicate primary keys: a copy of an existing round appended at the end; both rows are reported.
    rounds = frames["funding_rounds"]
    free = np.setdiff1d(np.arange(len(rounds)), np.fromiter(used["funding_rounds"], dtype=np.int64))
    originals = rng.choice(free, size=n_errors - per_kind * len(PLANTS), replace=False)
    copies = rounds.loc[originals].assign(preferred="false")
    frames["funding_rounds"] = pd.concat([rounds, copies], ignore_index=True)
    for n, row in enumerate(originals):
        expected.append(
            {
                "kind": "duplicate key",
                "file": "data/funding_rounds.csv",
                "line": int(row) + 2,
                "column": 1,
                "rule": "primary-key",
            }
        )
        expected.append(
            {
                "kind": "duplicate key",
                "file": "data/funding_rounds.csv",
                "line": len(rounds) + n + 2,
                "column": 1,
                "rule": "primary-key",
            }
        )
    return expected


def write_package(frames: dict[str, pd.DataFrame], out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copytree(REPO / "schemas", out / "schemas")
    descriptor = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if not r.get("derived")]
    (out / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    for name in CURATED:
        header = [f["name"] for f in json.loads((REPO / "schemas" / f"{name}.json").read_text())["fields"]]
        frames[name][header].to_csv(
            out / "data" / f"{name}.csv", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rounds", type=int, default=1_000_000)
    parser.add_argument("--errors", type=int, default=1000)
    args = parser.parse_args()
    frames = tables(args.rounds)
    write_package(frames, args.out / "valid")
    expected = plant(frames, args.errors)
    write_package(frames, args.out / "invalid")
    (args.out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    rows = sum(len(f) for f in frames.values())
    print(f"wrote {args.out}/valid and {args.out}/invalid ({rows} rows, {len(expected)} expected problems)")


if __name__ == "__main__":
    main()
