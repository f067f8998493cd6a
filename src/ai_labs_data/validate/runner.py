"""Run the validation layers over a package and collect every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..collector import collector_paused
from ..package import DESCRIPTOR, open_package
from ..problems import Problem
from .parallel import run_jobs
from .rules import Context, rule_jobs, table_rules
from .tables import foreign_key_jobs, read_tables


@dataclass
class Report:
    problems: list[Problem]
    rows: dict[str, int] = field(default_factory=dict)
    sources: int = 0
    cutoff: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        total = sum(self.rows.values())
        state = "valid" if self.valid else f"INVALID: {len(self.problems)} problem(s)"
        cutoff = self.cutoff or "unset"
        return f"{state}: {len(self.rows)} tables, {total} rows, {self.sources} sources, data cut-off {cutoff}"


def _cutoff(descriptor: dict, problems: list[Problem]) -> pd.Timestamp | None:
    value = descriptor.get("data_cutoff")
    stamp = pd.to_datetime(value, format="%Y-%m-%d", errors="coerce") if isinstance(value, str) else pd.NaT
    if pd.isna(stamp):
        problems.append(
            Problem(
                DESCRIPTOR,
                None,
                None,
                "data_cutoff",
                None if value is None else str(value),
                "cutoff",
                "datapackage.json needs data_cutoff as YYYY-MM-DD",
            )
        )
        return None
    return stamp


# A resource name becomes a SQL table, a file and a sheet name in exports: lowercase letters, digits and
# underscores only, at most 31 characters (a spreadsheet's limit for a sheet), so that it never needs
# escaping and no two names collide once shortened.
RESOURCE_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")


def _resource_names(descriptor: dict) -> list[Problem]:
    """A resource name that is not safe as a table, file or sheet name; two resources of one name (the
    second would silently hide the first from every command)."""
    seen: set[str] = set()
    found = []
    for res in descriptor.get("resources", []):
        name = res.get("name") if isinstance(res, dict) else None
        if isinstance(name, str) and not RESOURCE_NAME.fullmatch(name):
            message = "a resource name is lowercase letters, digits and _ (at most 31, starting with a letter)"
            found.append(Problem(DESCRIPTOR, None, None, "resources", name, "resource-name", message))
        if name in seen:
            message = f"two resources are named {name!r}: rename one"
            found.append(Problem(DESCRIPTOR, None, None, "resources", name, "resource-name", message))
        seen.add(name)
    return found


def freshness_problems(root: Path, read: dict[str, str] | None = None) -> list[Problem]:
    """Layer 3: the generated files are what the rebuild jobs make of these inputs. Read from the build's
    manifest (see `manifest`): nothing is rebuilt while every job's inputs and outputs are as built; else
    the derived tables are rebuilt in memory and each stale line located. Figures and documents are never
    made to check them: a dirty job that makes one is reported as such. `read`: the sha256 of files
    already read, by path relative to the root (validation read every table), not read again."""
    from ..jobs import can_rerun, freshness
    from ..manifest import MANIFEST

    pkg = open_package(root)
    dirty_jobs, changed = freshness(pkg, read)
    if not dirty_jobs and not changed:
        return []
    derived = {res.path: res for res in pkg.resources.values() if res.derived}
    problems = []
    fix = "reinstall ai-labs-data" if pkg.installed else "run `ai-labs-data build`"
    rebuildable = can_rerun(pkg)  # stale cells are located by rerunning the table jobs
    if rebuildable and (dirty_jobs or any(path in derived for path in changed)):
        problems += _stale_tables(pkg, list(derived.values()))
    if dirty_jobs:
        message = (
            f"the inputs of {', '.join(dirty_jobs)} changed since the last build: {fix}"
            if (pkg.root / MANIFEST).is_file()
            else f"no build manifest: {fix}"
        )
        problems.append(Problem(MANIFEST, None, None, None, None, "freshness", message))
    for path in changed:
        if path not in derived or not rebuildable:
            message = f"differs from what the last build wrote: {fix}"
            problems.append(Problem(path, None, None, None, None, "freshness", message))
    return problems


STALE_LINES_SHOWN = 20


def _stale_tables(pkg, resources: list) -> list[Problem]:
    """Each derived table rebuilt in memory and compared with its file line by line: the first
    differing cell of each differing line (at most STALE_LINES_SHOWN per table)."""
    import csv
    import io

    from ..jobs import generate

    rebuilt = generate(pkg.root, tables_only=True)
    found = []
    for res in resources:
        expected = rebuilt[res.path].decode("utf-8") if res.path in rebuilt else ""
        path = pkg.file(res.path)
        actual = path.read_text(encoding="utf-8") if path.is_file() else ""
        if actual == expected:
            continue
        old = list(csv.reader(io.StringIO(actual, newline="")))
        new = list(csv.reader(io.StringIO(expected, newline="")))
        shown = 0
        for n in range(max(len(old), len(new))):
            a, b = (old[n] if n < len(old) else None), (new[n] if n < len(new) else None)
            if a == b:
                continue
            line, header = n + 1, new[0] if new else []
            if a is None or b is None:
                what = "missing: a rebuild has this line" if a is None else "extra: a rebuild has no such line"
                found.append(Problem(res.path, line, None, None, None, "freshness", f"stale, {what}; run build"))
            else:
                col = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
                field = header[col] if col < len(header) else None
                value = a[col] if col < len(a) else None
                wanted = b[col] if col < len(b) else ""
                message = f"stale: a rebuild gives {wanted!r}; run `ai-labs-data build`"
                found.append(Problem(res.path, line, col + 1, field, value, "freshness", message))
            shown += 1
            if shown == STALE_LINES_SHOWN:
                break
    return found


def validate(root: Path | str | None = None, freshness: bool = True) -> Report:
    """Validate the package at `root`. Raises PackageError only when the descriptor itself is unusable.

    freshness=False skips layer 3 (rebuilding the derived tables), e.g. while editing curated rows."""
    pkg = open_package(root)
    problems: list[Problem] = []
    cutoff = _cutoff(pkg.descriptor, problems)
    problems += _resource_names(pkg.descriptor)
    with collector_paused():
        # The per-table rules run as each table is read; then the foreign keys (structure) and the
        # rules across tables, which read the tables independently, side by side.
        tables, structure, per_table = read_tables(pkg, then=table_rules)
        fk_jobs = foreign_key_jobs(tables)
        results = run_jobs(fk_jobs + rule_jobs(Context(tables, cutoff)))
    # A reference that fails its own pattern or type (a Cyrillic letter in an id) is reported as such,
    # not also as dangling: one cause, one message.
    flawed = {(p.file, p.line, p.column) for p in structure if p.line is not None}
    structure += [p for found in results[: len(fk_jobs)] for p in found if (p.file, p.line, p.column) not in flawed]
    problems += structure
    # A row with a structural problem is reported for that problem only: rules reading its broken
    # cell would report the same mistake again under other names.
    broken = {(p.file, p.line) for p in structure if p.line is not None}
    rule_problems = per_table + [p for found in results[len(fk_jobs) :] for p in found]
    problems += [p for p in rule_problems if (p.file, p.line) not in broken]
    if freshness and not problems and any(r.derived for r in pkg.resources.values()):
        problems += freshness_problems(pkg.root, {t.file: t.sha256 for t in tables.values() if t.sha256})
    problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or 0, p.rule, p.message))
    rows = {name: len(t.data) for name, t in tables.items()}
    sources = rows.get("sources", 0)
    return Report(problems, rows, sources, None if cutoff is None else f"{cutoff:%Y-%m-%d}")
