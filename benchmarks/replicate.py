"""Replicate the real package to about a million rows: every curated table copied K times with its ids
suffixed (`zhipu` -> `zhipu-r7`, references kept consistent), the rebuild jobs and schemas as they are,
and the derived tables built by `ai-labs-data build` on the copy. A second copy carries planted errors,
one of each kind listed in PLANTS per thousand rows or so, at recorded file:line:column.

    python benchmarks/replicate.py OUT_DIR [--rows 1000000 | --copies K] [--errors 1000]

K is chosen so that the curated tables hold about --rows rows (the derived tables add about a third).

Writes OUT_DIR/valid (built: derived tables, docs, figures and manifest), OUT_DIR/invalid (the same
curated data with planted errors) and OUT_DIR/expected.json; prints how long the build took.
`python benchmarks/run.py OUT_DIR` then measures validation on both.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from ai_labs_data.package import open_package  # noqa: E402

# Fields holding an id of this package (a key or a reference to one): suffixed in each copy.
ID_FIELDS = {"company_id", "parent_company_id", "round_id", "source_id", "investor_id", "shown_source_id"}
UNIQUE_TEXT = {("investors", "name")}  # unique names get the suffix too
GENERATED = ["scripts", "docs", "CITATION.cff", ".zenodo.json", "croissant.json", "CONTRIBUTING.md"]


def read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([header, *rows])


def suffixed(table: str, field: str, value: str, tag: str) -> str:
    if not value:
        return value
    if field == "model_id":
        company, _, model = value.partition("/")
        return f"{company}{tag}/{model}"
    if field in ID_FIELDS:
        return value if value.startswith("ecb-") else value + tag
    if (table, field) in UNIQUE_TEXT:
        return f"{value} ({tag[1:]})"
    return value


def curated_rows() -> int:
    pkg = open_package(REPO)
    return sum(len(read(REPO / res.path)[1]) for res in pkg.resources.values() if not res.derived)


def replicate(copies: int) -> dict[str, tuple[list[str], list[list[str]]]]:
    pkg = open_package(REPO)
    out = {}
    for res in pkg.resources.values():
        if res.derived:
            continue
        header, rows = read(REPO / res.path)
        many = []
        for k in range(copies):
            tag = f"-r{k}"
            # The ECB's source row is shared by every copy (the exchange rates cite it): kept once.
            own = [r for r in rows if not (k and res.name == "sources" and r[0].startswith("ecb-"))]
            many += [[suffixed(res.name, f, v, tag) for f, v in zip(header, row, strict=True)] for row in own]
        out[res.name] = (header, many)
    return out


def plant(tables: dict[str, tuple[list[str], list[list[str]]]], errors: int) -> list[dict]:
    """Overwrite cells with errors of several kinds, spread over the tables; each cell's expected
    (file, line, column, rule)."""
    kinds = [
        ("model_releases", "release_date", "2024-02-30", "type"),
        ("model_releases", "context_length", "12k", "type"),
        ("funding_rounds", "round_type", "series_z", "enum"),
        ("funding_rounds", "company_id", "no-such-company", "foreign-key"),
        ("sources", "url", "ftp://example.org", "pattern"),
        ("model_releases", "params_total", "0", "minimum"),
        ("market_caps", "currency", "usd", "pattern"),
        ("round_investors", "investor_id", "no-such-investor", "foreign-key"),
    ]
    expected, used = [], set()
    for n in range(errors):
        table, field, value, rule = kinds[n % len(kinds)]
        header, rows = tables[table]
        col = header.index(field)
        row = (n * 7919) % len(rows)
        while (table, row) in used:
            row = (row + 1) % len(rows)
        used.add((table, row))
        rows[row][col] = value
        expected.append({"file": f"data/{table}.csv", "line": row + 2, "column": col + 1, "rule": rule})
    return expected


def write_package(tables: dict, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "data" / "derived").mkdir(parents=True)
    shutil.copy(REPO / "datapackage.json", out / "datapackage.json")
    shutil.copytree(REPO / "schemas", out / "schemas")
    for name in GENERATED:
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, out / name)
    for name, (header, rows) in tables.items():
        write(out / "data" / f"{name}.csv", header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000, help="curated rows to reach (sets --copies)")
    parser.add_argument("--copies", type=int, help="copies of every curated table")
    parser.add_argument("--errors", type=int, default=1000)
    args = parser.parse_args()
    copies = args.copies or max(1, round(args.rows / curated_rows()))
    tables = replicate(copies)
    write_package(tables, args.out / "valid")
    cli = [sys.executable, "-m", "ai_labs_data.cli"]
    start = time.perf_counter()
    subprocess.run([*cli, "build", str(args.out / "valid")], check=True, stdout=subprocess.DEVNULL)
    built = time.perf_counter() - start
    expected = plant(tables, args.errors)
    write_package(tables, args.out / "invalid")
    # The derived tables as built from the valid data: the planted errors are what validation must find.
    shutil.rmtree(args.out / "invalid" / "data" / "derived")
    shutil.copytree(args.out / "valid" / "data" / "derived", args.out / "invalid" / "data" / "derived")
    (args.out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    rows = sum(len(r) for _, r in tables.values())
    print(
        f"wrote {args.out}/valid (built in {built:.1f} s) and {args.out}/invalid: {copies} copies, {rows} curated rows"
    )


if __name__ == "__main__":
    main()
