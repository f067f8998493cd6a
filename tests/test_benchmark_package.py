"""The benchmark's synthetic package at small scale: valid when generated, and every planted error
reported at its exact cell with nothing else (the 1,000,000-row run is benchmarks/run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ai_labs_data.validate import validate


def test_planted_errors_are_reported_exactly(repo: Path, tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        str(repo / "benchmarks" / "generate.py"),
        str(tmp_path),
        "--rounds",
        "3000",
        "--errors",
        "240",
    ]
    subprocess.run(cmd, check=True, capture_output=True)
    assert validate(tmp_path / "valid").problems == []
    expected = json.loads((tmp_path / "expected.json").read_text(encoding="utf-8"))
    assert len({e["kind"] for e in expected}) >= 10
    found = {(p.file, p.line, p.column, p.rule) for p in validate(tmp_path / "invalid").problems}
    assert found == {(e["file"], e["line"], e["column"], e["rule"]) for e in expected}
