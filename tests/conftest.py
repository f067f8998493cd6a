"""Shared fixtures: every test works on a copy of the real package, never on the repository itself."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from helpers import RULES_SEEN

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


def _whole_suite(config: pytest.Config) -> bool:
    """The suite ran whole: no selection by keyword, marker, file or node (a partial run proves nothing
    about the rules it did not reach)."""
    return (
        not config.option.keyword
        and not config.option.markexpr
        and config.args in ([], ["tests"], [str(REPO / "tests")])
    )


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controlling process: the workers inherit the folder
        folder = tempfile.mkdtemp(prefix="rules-seen-")
        os.environ[RULES_SEEN] = folder
        config._rules_seen = folder  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Every rule of the catalogue fired on a planted defect in some test: a rule no test can make fire
    is a check that cannot fail."""
    folder = getattr(session.config, "_rules_seen", None)
    if folder is None:
        return
    seen = {line.strip() for path in Path(folder).glob("*.txt") for line in path.read_text().splitlines()}
    shutil.rmtree(folder, ignore_errors=True)
    if exitstatus != 0 or not _whole_suite(session.config):
        return
    from ai_labs_data.validate.catalogue import catalogue

    never = [name for _, name, _ in catalogue() if name not in seen]
    if never:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"rules no test made fire on a planted defect: {', '.join(never)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
