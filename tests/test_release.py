"""What a data user relies on beyond loading: the wheel, Croissant, citation, info and diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import ai_labs_data
from ai_labs_data.cli import main

from helpers import set_cell

REPO = Path(__file__).resolve().parents[1]
TABLES = len(json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["resources"])


@pytest.fixture(scope="module")
def wheel(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(repo)]
    subprocess.run(cmd, check=True, capture_output=True)
    return next(out.glob("ai_labs_data-*.whl"))


def test_wheel_carries_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ai_labs_data/_data/datapackage.json" in names
    assert "ai_labs_data/_data/data/funding_rounds.csv" in names
    assert "ai_labs_data/_data/data/derived/company_summary.csv" in names
    assert "ai_labs_data/_data/schemas/market_caps.json" in names
    assert "ai_labs_data/_data/CITATION.cff" in names


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed alone (no dependencies, no index) into a folder: what a user's site holds.
    The tests only read it."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def test_installed_wheel_loads_every_table_offline(site: Path, tmp_path: Path) -> None:
    code = (
        "import sys, ai_labs_data as a\n"
        "assert a.__file__.startswith(sys.argv[1]), a.__file__\n"
        "assert str(a.path('companies')).startswith(sys.argv[1])\n"
        "rows = {t: len(a.load(t, claims='all')) for t in a.tables()}\n"
        "assert 'pandera' not in sys.modules and 'frictionless' not in sys.modules\n"
        "print(len(rows), min(rows.values()))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AI_LABS_DATA_ROOT"} | {"PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(site)], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    tables, fewest = map(int, out.stdout.split())
    assert tables == TABLES and fewest > 0


# Run the command line as an install without the extras: the rates, pandera and frictionless absent.
WITHOUT_EXTRAS = (
    "import sys, importlib.metadata as m\n"
    "real = m.version\n"
    "def version(name):\n"
    "    if name == 'currencyconverter':\n"
    "        raise m.PackageNotFoundError(name)\n"
    "    return real(name)\n"
    "m.version = version\n"
    "for name in ('currency_converter', 'pandera', 'frictionless', 'matplotlib'):\n"
    "    sys.modules[name] = None\n"
    "from ai_labs_data.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_installed_package_checks_where_it_is_run_and_never_rebuilds_its_data(
    site: Path, pkg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "AI_LABS_DATA_ROOT"} | {"PYTHONPATH": str(site)}
    installed = site / "ai_labs_data" / "_data"
    elsewhere = tmp_path_factory.mktemp("elsewhere")  # in no package's folder

    def run(*args: str, cwd: Path = elsewhere) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_EXTRAS, *args], cwd=cwd, env=env, capture_output=True, text=True
        )

    done = run("validate")  # outside any package: the installed data, and it says so
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"package: {installed} " in done.stderr and done.stdout.startswith(f"valid: {TABLES} tables")
    refused = run("build")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "is the data installed with the package, which is not rebuilt in place" in refused.stderr
    # From a subfolder of a checkout with a defect planted: that checkout, and the defect at its cell.
    line, column = set_cell(pkg, "companies", 0, "kind", "unicorn")
    inside = run("validate", cwd=pkg / "data" / "derived")
    assert inside.returncode == 1
    assert f"package: {pkg.resolve()} (version " in inside.stderr
    assert f"data/companies.csv:{line}:{column}: [enum]" in inside.stdout


def test_croissant_is_valid_and_fresh(repo: Path) -> None:
    import mlcroissant as mlc

    doc = json.loads((repo / "croissant.json").read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    sets = {r["name"]: r for r in doc["recordSet"]}
    assert set(sets) == set(ai_labs_data.tables(root=repo))
    company = next(f for f in sets["funding_rounds"]["field"] if f["name"] == "company_id")
    assert company["references"] == {"field": {"@id": "companies/company_id"}}
    dataset = mlc.Dataset(jsonld=repo / "croissant.json")
    assert [r.name for r in dataset.metadata.record_sets] == ai_labs_data.tables(root=repo)


def test_cite(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cite", str(repo)]) == 0
    text = capsys.readouterr().out
    assert f"(Version {ai_labs_data.__version__}, released 2026-" in text
    assert main(["cite", "--format", "bibtex", str(repo)]) == 0
    bib = capsys.readouterr().out
    assert bib.startswith("@misc{ai_labs_data_") and f"version = {{{ai_labs_data.__version__}}}" in bib
    cff = (repo / "CITATION.cff").read_text(encoding="utf-8")
    assert f"version: {ai_labs_data.__version__}\n" in cff
    zenodo = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["version"] == ai_labs_data.__version__ and zenodo["license"] == "CC-BY-4.0"


def test_info(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"ai-labs-data {ai_labs_data.__version__} ")
    cutoff = json.loads((repo / "datapackage.json").read_text())["data_cutoff"]
    assert f"data cut-off {cutoff}" in out and "sources by tier:" in out
    companies = len(ai_labs_data.load("companies", root=repo))
    assert f"companies covered: {companies} (" in out
    models = len(ai_labs_data.load("model_releases", root=repo))
    assert f"claims of {models} facts (model_id)" in out


def test_diff_between_two_folders(repo: Path, pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_cell(pkg, "companies", 0, "hq_city", "Atlantis")
    path = pkg / "data" / "investors.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = lines.pop(3).split(",")[0]
    path.write_text("".join(lines), encoding="utf-8")
    assert main(["diff", str(repo), str(pkg), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "| `companies` | 0 | 0 | 1 |" in out and "| `investors` | 0 | 1 | 0 |" in out
    assert f"- removed {removed}" in out
    assert "hq_city: " in out and "-> 'Atlantis'" in out


def test_diff_never_reads_a_revision_as_an_option(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["diff", "--", f"--output={target}", "HEAD"]) == 2
    assert "not a package folder nor a git revision" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me\n"
