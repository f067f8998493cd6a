"""Every command reaches the file system through one guarded door (Package.file): a path the package
names that leads outside the package folder is refused by each of them, and the file outside is neither
read (its content is never printed) nor written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ai_labs_data.cli import main

SECRET = "company_id,secret\nstolen,do-not-print-me\n"

COMMANDS = [
    ["validate"],
    ["fmt"],
    ["fmt", "--check"],
    ["build"],
    ["build", "--check"],
    ["info"],
    ["show", "zhipu"],
    ["export", "--format", "json", "--out", "{out}"],
    ["export", "--format", "sqlite", "--out", "{out}"],
    ["diff", "{pkg}", "{pkg}"],
]


def _point_at(pkg: Path, table: str, rel: str) -> None:
    path = pkg / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == table)["path"] = rel
    path.write_text(json.dumps(descriptor), encoding="utf-8")


def _run(command: list[str], pkg: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = [a.format(pkg=pkg, out=out) for a in command]
    if args[0] != "diff":
        args.append(str(pkg))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("how", ["dot-dot", "symlink", "absolute"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_path_out_of_the_package_is_refused_by_every_command(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], command, how
) -> None:
    table = "companies" if command[0] == "show" else "investors"  # a table the command reads
    outside = tmp_path_factory.mktemp("outside") / f"{table}.csv"
    outside.write_text(SECRET, encoding="utf-8")
    before = outside.stat().st_mtime_ns
    if how == "dot-dot":
        _point_at(pkg, table, os.path.relpath(outside, pkg))
    elif how == "absolute":
        _point_at(pkg, table, str(outside))
    else:
        (pkg / "data" / f"{table}.csv").unlink()
        (pkg / "data" / f"{table}.csv").symlink_to(outside)
    code, printed = _run(command, pkg, tmp_path_factory.mktemp("out"), capsys)
    assert code in (1, 2), printed
    assert "Traceback" not in printed
    assert "do-not-print-me" not in printed
    assert "outside the package" in printed or "relative path inside the package" in printed
    assert outside.read_text(encoding="utf-8") == SECRET and outside.stat().st_mtime_ns == before
