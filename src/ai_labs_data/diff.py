"""What changed between two versions of the package, per table, keyed by primary key.

A version is a package folder, or a git revision of the current repository (tag, branch, commit)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .package import DESCRIPTOR, Package, PackageError, open_package


@dataclass
class TableDiff:
    added: list[tuple[str, ...]] = field(default_factory=list)
    removed: list[tuple[str, ...]] = field(default_factory=list)
    changed: list[tuple[tuple[str, ...], dict[str, tuple[str, str]]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _rows(pkg: Package, path: str, key: list[str]) -> dict[tuple[str, ...], dict[str, str]]:
    """The rows of a table by primary key. PackageError for a file that is not UTF-8 text or whose
    header lacks a key column (a key renamed between the versions)."""
    if not pkg.file(path).is_file():
        return {}
    reader = csv.DictReader(io.StringIO(pkg.text(path), newline=""))
    absent = [k for k in key if k not in (reader.fieldnames or [])]
    if absent:
        raise PackageError(f"{path}: no column {', '.join(absent)}, which its schema's primary key names")
    return {tuple(row[k] or "" for k in key): row for row in reader}


def checkout(revision: str, repo: Path, into: Path) -> Path:
    """The package files of a git revision, extracted into `into`. The revision is resolved to a commit
    first, with --end-of-options, so that no revision (`--output=FILE`, say) is ever read as an option."""
    resolved = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = resolved.stdout.strip()
    if resolved.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40,64}", commit):
        raise PackageError(f"{revision}: not a package folder nor a git revision")
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit, "--", DESCRIPTOR, "data", "schemas"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        raise PackageError(f"{revision}: not a package folder nor a git revision ({archive.stderr.decode().strip()})")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into


def diff(old: Path, new: Path) -> dict[str, TableDiff]:
    old_pkg, new_pkg = open_package(old), open_package(new)
    result: dict[str, TableDiff] = {}
    for name in list(dict.fromkeys([*old_pkg.resources, *new_pkg.resources])):
        res = new_pkg.resources.get(name) or old_pkg.resources[name]
        pkg = new_pkg if name in new_pkg.resources else old_pkg
        key = list(pkg.schema(name).primary_key)
        if name in old_pkg.resources and name in new_pkg.resources:
            old_key = list(old_pkg.schema(name).primary_key)
            if old_key != key:
                # Rows cannot be matched across a changed key: the table is reported as replaced.
                result[name] = TableDiff(
                    added=sorted(_rows(new_pkg, res.path, key)),
                    removed=sorted(_rows(old_pkg, old_pkg.resources[name].path, old_key)),
                )
                continue
        before = _rows(old_pkg, old_pkg.resources[name].path, key) if name in old_pkg.resources else {}
        after = _rows(new_pkg, new_pkg.resources[name].path, key) if name in new_pkg.resources else {}
        d = TableDiff(
            added=sorted(after.keys() - before.keys()),
            removed=sorted(before.keys() - after.keys()),
        )
        for k in sorted(before.keys() & after.keys()):
            changes = {f: (before[k].get(f, ""), v) for f, v in after[k].items() if before[k].get(f, "") != v}
            if changes:
                d.changed.append((k, changes))
        result[name] = d
    return result


def resolve(spec: str, repo: Path, scratch: Path) -> Path:
    path = Path(spec)
    if (path / DESCRIPTOR).is_file() or (path.is_file() and path.name == DESCRIPTOR):
        return path if path.is_dir() else path.parent
    target = scratch / spec.replace("/", "_")
    target.mkdir(parents=True, exist_ok=True)
    return checkout(spec, repo, target)


def diff_specs(old: str, new: str, repo: Path) -> dict[str, TableDiff]:
    with tempfile.TemporaryDirectory() as scratch:
        return diff(resolve(old, repo, Path(scratch)), resolve(new, repo, Path(scratch)))


def render(result: dict[str, TableDiff], old: str, new: str, fmt: str = "text", limit: int = 10) -> str:
    """Counts per table, then up to `limit` keys per kind of change (markdown: a CHANGELOG section)."""
    md = fmt == "markdown"
    out = [f"### Data changes from {old} to {new}" if md else f"changes from {old} to {new}", ""]
    if md:
        out += ["| table | added | removed | changed |", "|---|---|---|---|"]
    for name, d in result.items():
        counts = (len(d.added), len(d.removed), len(d.changed))
        out.append(
            f"| `{name}` | {counts[0]} | {counts[1]} | {counts[2]} |"
            if md
            else f"{name}: +{counts[0]} added, -{counts[1]} removed, ~{counts[2]} changed"
        )
    for name, d in result.items():
        if d.empty:
            continue
        out += ["", f"#### {name}" if md else f"{name}:"]
        for label, keys in (("added", d.added), ("removed", d.removed)):
            for k in keys[:limit]:
                out.append(f"- {label} {' | '.join(k)}")
            if len(keys) > limit:
                out.append(f"- ... and {len(keys) - limit} more {label}")
        for k, changes in d.changed[:limit]:
            fields = "; ".join(f"{f}: {a!r} -> {b!r}" for f, (a, b) in changes.items())
            out.append(f"- changed {' | '.join(k)}: {fields}")
        if len(d.changed) > limit:
            out.append(f"- ... and {len(d.changed) - limit} more changed")
    return "\n".join(out)
