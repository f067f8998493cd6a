"""What a rebuild job reads: the package's curated tables (every claim, and resolved), the exchange rates
and the tables earlier jobs derived, each computed once per build and shared by the jobs of that build.

A derived table is always read back from its CSV bytes (the ones an earlier job of this build wrote, else
the file on disk): a job sees the same typed values whether the job before it ran in this build or in an
earlier one, so rebuilding only the dirty jobs writes the same bytes as rebuilding them all.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import pandas as pd

from ..loaders import load, schema, to_csv, typed_frame
from ..manifest import sha256
from ..package import Package, PackageError
from ..resolve import Resolution, resolve
from ..tableschema import TableSchema
from .fx import Rates, read_ecb


class Inputs:
    def __init__(
        self, pkg: Package, written: dict[str, bytes] | None = None, read: dict[str, str] | None = None
    ) -> None:
        self.pkg = pkg
        # Files written by the jobs of this build so far (paths relative to the root): later jobs read these.
        self.written: dict[str, bytes] = {} if written is None else written
        self._claims: dict[str, pd.DataFrame] = {}
        self._facts: dict[str, Resolution] = {}
        self._derived: dict[str, tuple[bytes, pd.DataFrame]] = {}
        # sha256 by (path, id of the bytes written in this build, None for the file on disk); `read`:
        # those of files on disk the caller has just read (validation reads every table).
        self._digests: dict[tuple[str, int | None], str] = {(rel, None): d for rel, d in (read or {}).items()}
        self._on_disk: dict[str, bool] = {}
        # The running job's declared inputs: reading anything else is an error, so that a job's digest
        # (computed from its declared inputs) covers everything it reads.
        self.declared: Callable[[str], bool] = lambda rel: True
        self.job = ""

    def _reading(self, rel: str) -> None:
        self.pkg.file(rel)  # a path out of the package is refused as such, first
        if not self.declared(rel):
            raise PackageError(f"scripts/jobs.toml: job {self.job} reads {rel}, which its inputs do not declare")

    @property
    def root(self) -> Path:
        return self.pkg.root

    def schema(self, table: str) -> TableSchema:
        return schema(table, root=self.root)

    def path(self, table: str) -> str:
        return self.pkg.resources[table].path

    @cached_property
    def curated(self) -> list[str]:
        return [r.name for r in self.pkg.resources.values() if not r.derived]

    def claims(self, table: str) -> pd.DataFrame:
        """Every claim (row) of a curated table, typed."""
        self._reading(self.path(table))
        if table not in self._claims:
            self._claims[table] = load(table, claims="all", root=self.root)
        return self._claims[table]

    def facts(self, table: str) -> Resolution:
        """A claim table resolved field by field, with its provenance."""
        self._reading(self.path(table))
        self._reading(self.path("sources"))
        if table not in self._facts:
            self._facts[table] = resolve(self.claims(table), self.schema(table), self.claims("sources"), table)
        return self._facts[table]

    @cached_property
    def claim_tables(self) -> list[str]:
        return [name for name in self.curated if self.schema(name).is_claims]

    @cached_property
    def rates(self) -> Rates:
        return Rates(read_ecb())

    def read(self, rel: str) -> bytes:
        """A file as this build sees it: as a job of this build wrote it, else as it is on disk."""
        self._reading(rel)
        return self.written[rel] if rel in self.written else self.pkg.file(rel).read_bytes()

    def on_disk(self, rel: str) -> bool:
        """Whether `rel` is a regular file inside the package (a symlink out of it is refused), asked
        once per build: every job's patterns match the same schemas and tables."""
        if rel not in self._on_disk:
            self._on_disk[rel] = self.pkg.file(rel).is_file()
        return self._on_disk[rel]

    def read_by(self, reads: Callable[[str], bool]) -> dict[str, bytes]:
        """The files written in this build so far that a job reading `reads` reads."""
        return {rel: data for rel, data in self.written.items() if reads(rel)}

    def digest(self, rel: str) -> str:
        """The sha256 of `read(rel)`, computed once per version of the file in this build."""
        data = self.written.get(rel)
        key = (rel, None if data is None else id(data))
        if key not in self._digests:
            self._digests[key] = sha256(data if data is not None else self.pkg.file(rel).read_bytes())
        return self._digests[key]

    def derived(self, table: str) -> pd.DataFrame:
        """A derived table, typed, read back from its current CSV bytes (see the module's docstring)."""
        data = self.read(self.path(table))
        cached = self._derived.get(table)
        if cached is None or cached[0] != data:
            raw = pd.read_csv(io.BytesIO(data), dtype="string[pyarrow]", keep_default_na=False, na_values=[""])
            cached = (data, typed_frame(raw, self.schema(table), self.path(table)))
            self._derived[table] = cached
        return cached[1]

    def table_file(self, table: str, frame: pd.DataFrame) -> dict[str, bytes]:
        """A derived table's output: its canonical CSV bytes under its path. The columns are the schema's
        fields in the schema's order and the rows are sorted by its primary key, so a derivation states
        neither; a field the derivation did not compute is an error naming it."""
        ts = self.schema(table)
        if frame.empty:
            frame = frame.reindex(columns=ts.names)
        missing = [name for name in ts.names if name not in frame.columns]
        if missing:
            raise PackageError(f"{self.job or table}: the derivation gives no {', '.join(missing)} ({table}'s schema)")
        frame = frame.sort_values(list(ts.primary_key), ignore_index=True, kind="stable")
        return {self.path(table): to_csv(frame[ts.names], table, root=self.root).encode("utf-8")}
