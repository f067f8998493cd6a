"""Property tests of the classes of hostile input too large to list: a command stopped at any point of a
write, and any resource name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_labs_data.cli import main

from helpers import read_rows, write_rows


class Killed(BaseException):
    """The process stopped (a signal, a full disk) in the middle of writing."""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kill_at=st.integers(min_value=0, max_value=60_000))
def test_fmt_stopped_at_any_byte_leaves_the_table_whole(
    pkg: Path, monkeypatch: pytest.MonkeyPatch, kill_at: int
) -> None:
    path = pkg / "data" / "investors.csv"
    header, rows = read_rows(path)
    # Out of canonical order, whatever an earlier example left: fmt must rewrite it.
    write_rows(path, header, sorted(rows, reverse=True))
    before = path.read_bytes()
    real_write_bytes = Path.write_bytes

    def write_part(self: Path, data: bytes) -> int:
        # Write the first kill_at bytes of the new table, then stop, as a killed process would.
        real_write_bytes(self, data[:kill_at])
        raise Killed

    monkeypatch.setattr(Path, "write_bytes", write_part)
    with pytest.raises(Killed):
        main(["fmt", str(pkg)])
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_build_stopped_in_a_write_leaves_every_file_whole(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped while writing a file: every generated file, the hand-written CITATION.cff
    included, is as it was, never cut, and no temporary file is left behind."""
    (pkg / "data" / "derived" / "build-manifest.json").unlink()  # every job runs and rewrites its files
    generated = [*sorted((pkg / "data" / "derived").glob("*.csv")), pkg / "CITATION.cff", pkg / "croissant.json"]
    before = {p: p.read_bytes() for p in generated}
    real_write_bytes = Path.write_bytes

    def write_part(self: Path, data: bytes) -> int:
        real_write_bytes(self, data[: len(data) // 2])
        raise Killed

    monkeypatch.setattr(Path, "write_bytes", write_part)
    with pytest.raises(Killed):
        main(["build", str(pkg)])
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in generated} == before
    assert not [p for p in pkg.rglob("*.tmp")]


SAFE = re.compile(r"[a-z][a-z0-9_]*")


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=1, max_size=40))
def test_any_resource_name_is_accepted_only_if_it_is_safe_everywhere(repo: Path, name: str) -> None:
    """A name that reaches SQL, a file name and a sheet title is accepted only if it needs no escaping
    in any of them and fits a sheet title (31 characters)."""
    from ai_labs_data.validate.runner import _resource_names

    descriptor = json.loads((repo / "datapackage.json").read_text(encoding="utf-8"))
    others = {r["name"] for r in descriptor["resources"] if r["name"] != "investors"}
    next(r for r in descriptor["resources"] if r["name"] == "investors")["name"] = name
    refused = [p for p in _resource_names(descriptor) if p.value == name]
    assert bool(refused) == (not SAFE.fullmatch(name) or len(name) > 31 or name in others)
