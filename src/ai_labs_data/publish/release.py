"""Release metadata kept in step with datapackage.json: CITATION.cff and .zenodo.json."""

from __future__ import annotations

import json
import re

from ..package import Package

ZENODO = ".zenodo.json"


def citation_cff(pkg: Package, current: str) -> str:
    """CITATION.cff with its version and release date taken from datapackage.json."""
    released = pkg.descriptor.get("created", "")[:10]
    text = re.sub(r"^version: .*$", f"version: {pkg.version}", current, flags=re.MULTILINE)
    return re.sub(r"^date-released: .*$", f"date-released: {released}", text, flags=re.MULTILINE)


def zenodo(pkg: Package) -> str:
    d = pkg.descriptor
    doc = {
        "title": d.get("title", ""),
        "description": d.get("description", ""),
        "upload_type": "dataset",
        "version": pkg.version,
        "publication_date": d.get("created", "")[:10],
        "creators": [{"name": "ai-labs-data contributors"}],
        "license": "CC-BY-4.0",
        "access_right": "open",
        "keywords": d.get("keywords", []),
        "notes": f"Data cut-off {pkg.data_cutoff}. Code under the MIT licence; data under CC BY 4.0.",
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
