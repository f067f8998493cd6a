"""Run the validation layers over a package and collect every problem."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..package import DESCRIPTOR, open_package
from ..problems import Problem
from .parallel import run_jobs
from .rules import Context, rule_jobs
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


def freshness_problems(root: Path) -> list[Problem]:
    """Layer 3: rebuilding the derived tables must change nothing. Runs only on otherwise valid data."""
    from ..derive.build import build

    return [
        Problem(file, None, None, None, None, "freshness", "stale: differs from a rebuild; run `ai-labs-data build`")
        for file in build(root, check=True).stale
    ]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: validation creates many short-lived pandas and pandera objects
    but no garbage cycles worth collecting mid-run, and the collector's passes over them cost time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(root: Path | str | None = None, freshness: bool = True) -> Report:
    """Validate the package at `root`. Raises PackageError only when the descriptor itself is unusable.

    freshness=False skips layer 3 (rebuilding the derived tables), e.g. while editing curated rows."""
    pkg = open_package(root)
    problems: list[Problem] = []
    cutoff = _cutoff(pkg.descriptor, problems)
    with _no_gc():
        tables, structure = read_tables(pkg)
        # Foreign keys (structure) and rules read the tables independently: run them side by side.
        fk_jobs, rules = foreign_key_jobs(tables), rule_jobs(Context(tables, cutoff))
        results = run_jobs(fk_jobs + rules)
    structure += [p for found in results[: len(fk_jobs)] for p in found]
    problems += structure
    # A row with a structural problem is reported for that problem only: rules reading its broken
    # cell would report the same mistake again under other names.
    broken = {(p.file, p.line) for p in structure if p.line is not None}
    problems += [p for found in results[len(fk_jobs) :] for p in found if (p.file, p.line) not in broken]
    if freshness and not problems and any(r.derived for r in pkg.resources.values()):
        problems += freshness_problems(pkg.root)
    problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or 0, p.rule, p.message))
    rows = {name: len(t.data) for name, t in tables.items()}
    sources = rows.get("sources", 0)
    return Report(problems, rows, sources, None if cutoff is None else f"{cutoff:%Y-%m-%d}")
