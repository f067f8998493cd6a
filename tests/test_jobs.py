"""The rebuild jobs of scripts/jobs.toml: declared once, run only when dirty, honest about what they read."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ai_labs_data.cli import main
from ai_labs_data.jobs import build, read_jobs
from ai_labs_data.package import PackageError, open_package

from helpers import read_rows, set_cell


def test_every_derived_table_and_generated_file_has_exactly_one_job(repo: Path) -> None:
    pkg = open_package(repo)
    jobs = read_jobs(pkg)
    derived = [res.path for res in pkg.resources.values() if res.derived]
    for path in [*derived, "docs/data-dictionary.md", "croissant.json", "docs/figures/releases_per_quarter.png"]:
        assert sum(job.writes(path) for job in jobs) == 1, path
    for job in jobs:
        assert (repo / job.script).is_file(), job.script


def test_editing_one_table_reruns_only_the_jobs_that_read_it(pkg: Path) -> None:
    header, rows = read_rows(pkg / "data" / "financials.csv")
    set_cell(pkg, "financials", 0, "evidence", rows[0][header.index("evidence")] + " ")
    result = build(pkg)
    assert "financials_usd" in result.ran and "figures" not in result.ran and "valuations" not in result.ran
    # The USD table came out the same, so the summary that reads it was not rerun either.
    assert "company_summary" not in result.ran
    assert build(pkg).ran == []


def test_a_job_reading_an_undeclared_input_is_refused(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = pkg / "scripts" / "jobs.toml"
    text = jobs.read_text(encoding="utf-8")
    jobs.write_text(text.replace('"data/funding_rounds.csv", "data/market_caps.csv"]', '"data/funding_rounds.csv"]'))
    assert main(["build", str(pkg), "--force"]) == 2
    err = capsys.readouterr().err
    assert "job valuations reads data/market_caps.csv, which its inputs do not declare" in err
    assert "Traceback" not in err


def test_jobs_must_be_declared_after_the_jobs_they_read(pkg: Path) -> None:
    jobs = pkg / "scripts" / "jobs.toml"
    text = jobs.read_text(encoding="utf-8")
    summary = text[text.index('[[job]]\nname = "company_summary"') : text.index('[[job]]\nname = "disputes"')]
    jobs.write_text(summary + text.replace(summary, ""), encoding="utf-8")
    with pytest.raises(PackageError, match="company_summary reads what valuations writes"):
        read_jobs(open_package(pkg))


def test_a_failing_script_is_named_not_a_traceback(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = pkg / "scripts" / "disputes.py"
    script.write_text(script.read_text(encoding="utf-8").replace("    schemas = {", "    1 / 0\n    schemas = {", 1))
    assert main(["build", str(pkg), "--force"]) == 2
    err = capsys.readouterr().err
    assert "job disputes failed at disputes.py:" in err and "ZeroDivisionError" in err


def test_a_script_runs_alone(pkg: Path) -> None:
    target = pkg / "data" / "derived" / "valuations.csv"
    good = target.read_bytes()
    target.write_bytes(b"")
    done = subprocess.run([sys.executable, str(pkg / "scripts" / "valuations.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wrote data/derived/valuations.csv"
    assert target.read_bytes() == good


def test_a_package_without_its_jobs_cannot_be_built(pkg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.rmtree(pkg / "scripts")
    assert main(["build", str(pkg)]) == 2
    assert "no scripts/jobs.toml" in capsys.readouterr().err


def _edit_figures_script(pkg: Path, old: str, new: str) -> None:
    """Change scripts/figures.py, so that the figures job, and it alone, is dirty."""
    script = pkg / "scripts" / "figures.py"
    text = script.read_text(encoding="utf-8")
    assert old in text
    script.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_job_run_apart_makes_the_same_files_as_in_process(pkg: Path) -> None:
    # Drawn apart, the figures are byte for byte the committed ones; drawn in the build's own process
    # (test_a_job_whose_process_dies_runs_in_the_build_itself), so are they.
    assert [job.name for job in read_jobs(open_package(pkg)) if job.apart] == ["figures"]
    _edit_figures_script(pkg, "def run(", "# edited\ndef run(")
    result = build(pkg)
    assert result.ran == ["figures"]
    assert result.written == ["data/derived/build-manifest.json"]  # every figure byte for byte as committed


def _failing_figures(pkg: Path, mark: Path) -> None:
    """The figures job fails as it starts drawing; `mark` is made by its `prepare`, which runs only in
    a process of its own."""
    _edit_figures_script(pkg, "    for name in FACTS:", f"    open({str(mark)!r}, 'w').close()\n    for name in FACTS:")
    _edit_figures_script(pkg, "    pkg = inputs.pkg", "    pkg = inputs.pkg\n    1 / 0")


@pytest.mark.parametrize("other_thread", [False, True])
def test_a_job_failing_apart_is_named_not_a_traceback(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], other_thread: bool
) -> None:
    mark = tmp_path_factory.mktemp("mark") / "prepared"
    _failing_figures(pkg, mark)
    before = (pkg / "data" / "derived" / "build-manifest.json").read_bytes()
    # With another thread running (as in a notebook's kernel) no process is forked: the job runs in
    # the build's own process, and fails there the same way.
    running = threading.Event()
    thread = threading.Thread(target=running.wait)
    if other_thread:
        thread.start()
    try:
        assert main(["build", str(pkg)]) == 2
    finally:
        running.set()
        if other_thread:
            thread.join()
    err = capsys.readouterr().err
    assert "job figures failed at figures.py:" in err and "ZeroDivisionError" in err and "Traceback" not in err
    assert (pkg / "data" / "derived" / "build-manifest.json").read_bytes() == before
    assert mark.exists() is not other_thread  # prepared in a forked process, or not forked at all


def test_a_job_whose_process_dies_runs_in_the_build_itself(pkg: Path) -> None:
    # prepare runs only in the job's own process: exiting there kills that process, not the build.
    _edit_figures_script(pkg, "    for name in FACTS:", "    import os\n\n    os._exit(3)\n    for name in FACTS:")
    result = build(pkg)
    assert result.ran == ["figures"]
    assert result.written == ["data/derived/build-manifest.json"]


def test_ctrl_c_stops_a_build_and_its_processes_in_one_line(
    pkg: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The figures job, run apart, says when it is under way, then takes its time.
    mark = tmp_path_factory.mktemp("mark") / "drawing"
    _edit_figures_script(
        pkg, "    pkg = inputs.pkg", f"    Path({str(mark)!r}).touch()\n    time.sleep(60)\n    pkg = inputs.pkg"
    )
    script = pkg / "scripts" / "figures.py"
    script.write_text("import time\nfrom pathlib import Path\n" + script.read_text(encoding="utf-8"), encoding="utf-8")

    def files() -> dict[Path, bytes]:  # the package's files (Python's bytecode caches are not)
        return {p: p.read_bytes() for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts}

    before = files()
    command = [sys.executable, "-m", "ai_labs_data.cli", "build", str(pkg)]
    build_process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # A command started in the background by a script inherits Ctrl-C ignored: restore the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not mark.exists() and time.monotonic() < deadline and build_process.poll() is None:
        time.sleep(0.05)
    assert mark.exists(), build_process.communicate()
    os.killpg(build_process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: to every process of the group
    _, err = build_process.communicate(timeout=30)
    assert build_process.returncode == 130
    assert err.decode().strip().splitlines()[-1] == "interrupted: no file was left half-written"
    assert b"Traceback" not in err
    with pytest.raises(ProcessLookupError):  # the figures' process is gone too
        os.killpg(build_process.pid, 0)
    assert files() == before
