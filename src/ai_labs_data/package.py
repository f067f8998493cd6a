"""Locate the Data Package and read its descriptor (json only: this is the light loading path)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .problems import Problem

if TYPE_CHECKING:
    from .tableschema import TableSchema

DESCRIPTOR = "datapackage.json"
# Source tiers by sources.source_type (1 is best): filing > official > wire/press > analysis/dataset > aggregator.
TIERS = {"filing": 1, "official": 2, "wire": 3, "press": 3, "analysis": 4, "dataset": 4, "aggregator": 5}
ROOT_ENV = "AI_LABS_DATA_ROOT"


class PackageError(Exception):
    """The package cannot be read at all (missing or unparsable descriptor or schema)."""


class DataError(Exception):
    """A table does not match its schema; `ai-labs-data validate` locates every problem."""


@dataclass(frozen=True)
class Resource:
    name: str
    path: str  # relative to the package root, POSIX separators
    schema_path: str
    derived: bool
    description: str = ""


def default_root() -> Path:
    """The package root: $AI_LABS_DATA_ROOT, else the data shipped in the wheel, else the repository."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    bundled = here / "_data"
    if (bundled / DESCRIPTOR).is_file():
        return bundled
    for parent in here.parents:
        if (parent / DESCRIPTOR).is_file():
            return parent
    raise PackageError(f"no {DESCRIPTOR} found; set {ROOT_ENV} to the package folder")


def find_root(start: Path | None = None) -> Path | None:
    """The folder of the Data Package that holds `start` (default: the current directory): the nearest
    of `start` and its parents with a datapackage.json, as git finds a repository; None outside any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DESCRIPTOR).is_file():
            return folder
    return None


def command_root(path: Path | None) -> Path:
    """The package a command works on: an explicit PATH, else $AI_LABS_DATA_ROOT, else the package around
    the current directory, else the data installed with this package. (The library's loaders, with no
    root, use the installed data: a script's results do not depend on the folder it runs in.)"""
    if path is not None:
        return path
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV])
    return find_root() or default_root()


def read_json(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackageError(f"{path.name}: file not found") from None
    except UnicodeDecodeError as exc:
        raise PackageError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{path.name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise PackageError(f"{path.name}: JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path.name}: expected a JSON object")
    return data


@dataclass(frozen=True)
class Package:
    root: Path
    descriptor: dict

    @cached_property
    def resources(self) -> dict[str, Resource]:
        """The resources by name, read from the descriptor once (every command looks them up often)."""
        out = {}
        for res in self.descriptor.get("resources", []):
            out[res["name"]] = Resource(
                name=res["name"],
                path=res["path"],
                schema_path=res["schema"],
                derived=bool(res.get("derived", False)),
                description=str(res.get("description", "")),
            )
        return out

    @cached_property
    def derived_paths(self) -> frozenset[str]:
        """The paths of the derived tables (rebuilt by the jobs, never edited by hand)."""
        return frozenset(res.path for res in self.resources.values() if res.derived)

    @property
    def installed(self) -> bool:
        """True for the data installed with this Python package (read-only: never rebuilt in place)."""
        return self.root.resolve() == (Path(__file__).resolve().parent / "_data")

    def file(self, rel: str) -> Path:
        """The one door from a path the package names (a resource, a schema, a job's input or output,
        a manifest entry) to the file system: the path inside the package folder, or PackageError when it
        is a URL, absolute, or leads outside the folder by `..` or a symlink. Every command reads and
        writes package files through it."""
        refusal = outside(self.root, rel)
        if refusal:
            raise PackageError(f"{rel}: {refusal}")
        return self.root / rel

    def text(self, rel: str) -> str:
        """A package file's text (see `file`); PackageError naming it when it is missing or not UTF-8."""
        try:
            return self.file(rel).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PackageError(f"{rel}: file not found; `ai-labs-data validate` checks the package") from None
        except UnicodeDecodeError as exc:
            raise PackageError(f"{rel}: not UTF-8 (byte {exc.start}); `ai-labs-data validate` locates it") from None

    def schema(self, name: str) -> TableSchema:
        """The typed Table Schema of a resource (see tableschema.TableSchema)."""
        from .tableschema import TableSchema

        return TableSchema.read(self.file(self.resources[name].schema_path))

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", "0.0.0"))

    @property
    def data_cutoff(self) -> str | None:
        return self.descriptor.get("data_cutoff")


def open_package(root: Path | str | None = None) -> Package:
    root = Path(root) if root is not None else default_root()
    if root.is_file():
        root = root.parent
    descriptor = read_json(root / DESCRIPTOR)
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not all(
        isinstance(r, dict)
        and isinstance(r.get("name"), str)
        and isinstance(r.get("path"), str)
        and isinstance(r.get("schema"), str)
        for r in resources
    ):
        raise PackageError(f"{DESCRIPTOR}: every resource needs a name, a path and a schema path")
    return Package(root=root, descriptor=descriptor)


@cache
def _cached_package(root: str | None) -> Package:
    return open_package(root)


def package(root: Path | str | None = None) -> Package:
    """The package at `root` (default: see `default_root`), read once per process."""
    return _cached_package(str(root) if root is not None else None)


def outside(root: Path, rel: object) -> str | None:
    """Why `rel` may not be read or written as a path of the package at `root` (None when it may)."""
    if not isinstance(rel, str) or not rel or "\0" in rel:
        return "must be a relative path inside the package"
    if "://" in rel or rel.startswith(("/", "\\")) or Path(rel).is_absolute():
        return "must be a relative path inside the package, not a URL or absolute path"
    try:
        inside = (root / rel).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        inside = False
    return None if inside else "resolves outside the package folder (.. or a symlink); refused"


def resolve_path(pkg: Package, rel: str, what: str) -> tuple[Path | None, Problem | None]:
    """A resource or schema path as `Package.file` gives it, its refusal as a located problem."""
    refusal = outside(pkg.root, rel)
    if refusal:
        return None, Problem(DESCRIPTOR, None, None, what, rel, "resource-path", refusal)
    return pkg.root / rel, None


def resource_paths(pkg: Package, res: Resource) -> tuple[Path | None, Path | None, list[Problem]]:
    """A resource's data and schema paths (see `resolve_path`), None where refused, and the refusals."""
    data_path, bad_data = resolve_path(pkg, res.path, "path")
    schema_path, bad_schema = resolve_path(pkg, res.schema_path, "schema")
    return data_path, schema_path, [p for p in (bad_schema, bad_data) if p]
