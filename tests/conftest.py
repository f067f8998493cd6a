"""Shared fixtures: every test works on a copy of the real package, never on the repository itself."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def copy_package(dest: Path) -> Path:
    shutil.copy(REPO / "datapackage.json", dest / "datapackage.json")
    shutil.copytree(REPO / "data", dest / "data")
    shutil.copytree(REPO / "schemas", dest / "schemas")
    shutil.copytree(REPO / "scripts", dest / "scripts")  # the rebuild jobs
    shutil.copytree(REPO / "docs", dest / "docs")  # generated docs, checked for freshness like derived tables
    # Generated release metadata and CONTRIBUTING.md's rules table, checked for freshness likewise.
    for name in ("CITATION.cff", ".zenodo.json", "croissant.json", "CONTRIBUTING.md"):
        shutil.copy(REPO / name, dest / name)
    return dest


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A writable copy of the real package."""
    return copy_package(tmp_path)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
