"""How to cite the dataset: from datapackage.json (title, version, cut-off) and CITATION.cff (release date)."""

from __future__ import annotations

import re
from pathlib import Path

from .package import package

CFF = "CITATION.cff"


def _cff_value(root: Path, key: str) -> str | None:
    """One top-level scalar of CITATION.cff (enough for its flat keys; no YAML parser needed)."""
    path = root / CFF
    if not path.is_file():
        return None
    match = re.search(rf"^{re.escape(key)}:\s*\"?([^\"\n]+)\"?\s*$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1).strip() if match else None


def citation(fmt: str = "text", root: Path | str | None = None) -> str:
    pkg = package(root)
    title = _cff_value(pkg.root, "title") or pkg.descriptor.get("title", "ai-labs-data")
    released = _cff_value(pkg.root, "date-released") or pkg.descriptor.get("created", "")[:10]
    year = released[:4]
    if fmt == "bibtex":
        key = "ai_labs_data_" + re.sub(r"[^0-9A-Za-z]", "_", pkg.version)
        return (
            f"@misc{{{key},\n"
            f"  author = {{{{ai-labs-data contributors}}}},\n"
            f"  title = {{{title}}},\n"
            f"  year = {{{year}}},\n"
            f"  version = {{{pkg.version}}},\n"
            f"  date = {{{released}}},\n"
            f"  note = {{Data set, data cut-off {pkg.data_cutoff}. Data licensed CC BY 4.0}}\n"
            "}"
        )
    if fmt == "text":
        return (
            f"ai-labs-data contributors ({year}). {title} (Version {pkg.version}, released {released}, "
            f"data cut-off {pkg.data_cutoff}) [Data set]. Licensed CC BY 4.0."
        )
    raise ValueError("format must be text or bibtex")
