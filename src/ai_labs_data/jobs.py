"""The rebuild jobs declared in scripts/jobs.toml, and the build that runs the dirty ones.

scripts/jobs.toml is the one place that lists every job: its script, the files it reads (glob patterns
relative to the package root) and the files it writes. Jobs run in the order declared, each after the
jobs whose outputs it reads; a job runs only when it is dirty (see `manifest`), and a job's outputs are
written atomically as soon as it has run, so a later job reads them.

A script is a Python file beside jobs.toml with `run(inputs: Inputs) -> dict[str, bytes]`: the bytes of
every file it makes, by path relative to the root; a job run apart may also have `prepare(inputs)`
(see `apart`). `python scripts/<job>.py` runs that job alone.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import sys
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TYPE_CHECKING

from .apart import ApartJob, can_fork
from .derive.inputs import Inputs
from .files import write_atomically
from .manifest import (
    CODE,
    MANIFEST,
    can_rebuild,
    changed_outputs,
    input_digest,
    job_record,
    manifest_text,
    read_manifest,
)
from .package import Package, PackageError, open_package

if TYPE_CHECKING:
    import pandas as pd

JOBS_FILE = "scripts/jobs.toml"


@dataclass(frozen=True)
class Job:
    name: str
    script: str  # path relative to the root
    inputs: tuple[str, ...]  # glob patterns relative to the root
    outputs: tuple[str, ...]  # paths, or folders ending in "/" for outputs named by the job
    about: str = ""
    # Modules of the package (globs relative to src/ai_labs_data) that this job's output depends on
    # beyond the build code every job shares (manifest.BUILD_CODE), e.g. the rule catalogue.
    code: tuple[str, ...] = ()
    # Run in a process of its own beside the other jobs (see `apart`): for a job that is slow,
    # Python-bound and read by no job declared after it.
    apart: bool = False

    def writes(self, rel: str) -> bool:
        return any(rel == out or (out.endswith("/") and rel.startswith(out)) for out in self.outputs)

    def reads(self, rel: str) -> bool:
        return any(_matches(rel, pattern) for pattern in self.inputs)

    def depends_on(self, other: Job) -> bool:
        """Whether this job reads a file the other writes (a folder output stands for any file in it)."""
        return any(self.reads(out + "x" if out.endswith("/") else out) for out in other.outputs)


def _matches(rel: str, pattern: str) -> bool:
    """A path matches a glob pattern part by part, as Path.glob finds it (`*` never crosses a `/`)."""
    parts, wanted = rel.split("/"), pattern.split("/")
    return len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True))


def _safe(rel: object, what: str) -> str:
    """A path of jobs.toml: relative, inside the package, no `..`."""
    if not isinstance(rel, str) or not rel or PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
        raise PackageError(f"{JOBS_FILE}: {what} {rel!r} must be a relative path inside the package")
    return rel


def read_jobs(pkg: Package) -> list[Job]:
    """The declared jobs, in order. PackageError when the declaration is missing or inconsistent."""
    path = pkg.root / JOBS_FILE
    if not path.is_file():
        raise PackageError(
            f"no {JOBS_FILE} in {pkg.root}: the generated files are rebuilt in a checkout of the repository"
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PackageError(f"{JOBS_FILE}: {exc}") from None
    jobs: list[Job] = []
    for entry in doc.get("job", []):
        try:
            job = Job(
                name=str(entry["name"]),
                script=_safe(entry["script"], "script"),
                inputs=tuple(_safe(p, "input") for p in entry["inputs"]),
                outputs=tuple(_safe(p, "output") for p in entry["outputs"]),
                about=str(entry.get("about", "")),
                code=tuple(_safe(p, "code") for p in entry.get("code", [])),
                apart=entry.get("apart", False) is True,
            )
        except (KeyError, TypeError) as exc:
            raise PackageError(f"{JOBS_FILE}: every job needs name, script, inputs and outputs ({exc})") from None
        for earlier in jobs:
            if job.name == earlier.name:
                raise PackageError(f"{JOBS_FILE}: two jobs are named {job.name!r}")
        jobs.append(job)
    for i, job in enumerate(jobs):
        for later in jobs[i + 1 :]:
            if job.depends_on(later):
                raise PackageError(f"{JOBS_FILE}: {job.name} reads what {later.name} writes: declare it after")
    return jobs


def load_script(pkg: Package, job: Job) -> ModuleType:
    path = pkg.file(job.script)
    spec = importlib.util.spec_from_file_location(f"_ai_labs_data_job_{job.name}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise PackageError(f"{JOBS_FILE}: job {job.name}: script {job.script} not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def input_files(pkg: Package, job: Job, inputs: Inputs) -> list[str]:
    """The files a job reads: those on disk or written in this build that match its patterns."""
    on_disk = {p.relative_to(pkg.root).as_posix() for pattern in job.inputs for p in pkg.root.glob(pattern)}
    on_disk = {rel for rel in on_disk if inputs.on_disk(rel)}
    return sorted(on_disk | {rel for rel in inputs.written if job.reads(rel)})


def job_digest(pkg: Package, job: Job, inputs: Inputs) -> str:
    script = pkg.file(job.script).read_bytes()
    own_code = sorted({p for pattern in job.code for p in CODE.glob(pattern)})
    script += b"".join(b"\0" + p.read_bytes() for p in own_code)
    return input_digest(input_files(pkg, job, inputs), inputs.digest, script)


def run_job(pkg: Package, job: Job, inputs: Inputs, script: ModuleType | None = None) -> dict[str, bytes]:
    """Run one job in memory: the files it makes (nothing is written here). `script`: the job's script,
    already loaded."""
    inputs.declared, inputs.job = job.reads, job.name
    try:
        files = (script or load_script(pkg, job)).run(inputs)
    except PackageError:
        raise
    except Exception as exc:  # a failing script is named with where it failed, not a bare traceback
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        message = f"job {job.name} failed at {where}: {type(exc).__name__}: {exc}"
        raise PackageError(f"{message} (`ai-labs-data validate` locates any problem in the data)") from exc
    finally:
        inputs.declared, inputs.job = (lambda rel: True), ""
    for rel in files:
        if not job.writes(rel):
            raise PackageError(f"{JOBS_FILE}: job {job.name} wrote {rel}, which its outputs do not declare")
    return files


@dataclass
class BuildResult:
    stale: list[str] = field(default_factory=list)  # files whose committed bytes differ from a rebuild
    written: list[str] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # jobs run


def dirty(pkg: Package, job: Job, inputs: Inputs, record: dict | None) -> tuple[bool, str]:
    digest = job_digest(pkg, job, inputs)
    return record is None or record["inputs"] != digest or bool(changed_outputs(pkg, record, inputs.digest)), digest


def build(root: Path | str | None = None, check: bool = False, force: bool = False) -> BuildResult:
    """Run every dirty job and write what it makes (all jobs with `force`). With check=True every job runs
    in memory and nothing is written: the files whose bytes differ are listed as stale. A job declared
    `apart` runs in a process of its own beside the jobs after it (see `apart`)."""
    pkg = open_package(root)
    if pkg.installed:
        raise PackageError(
            f"{pkg.root} is the data installed with the package, which is not rebuilt in place: "
            "clone the repository to rebuild it"
        )
    jobs = read_jobs(pkg)
    recorded = read_manifest(pkg)
    inputs = Inputs(pkg)
    result = BuildResult()
    records: dict[str, dict] = {}
    workers = {job.name: ApartJob(str(pkg.root), job.name) for job in jobs if job.apart} if can_fork() else {}
    handed: dict[str, tuple[Job, str]] = {}  # jobs running apart, by name: the job and its input digest

    def finish(job: Job, digest: str, files: dict[str, bytes]) -> None:
        result.ran.append(job.name)
        inputs.written.update(files)
        records[job.name] = job_record(digest, files)
        for rel, data in files.items():
            path = pkg.file(rel)
            if path.is_file() and path.read_bytes() == data:
                continue
            if check:
                result.stale.append(rel)
            else:
                write_atomically(path, data)
                result.written.append(rel)

    def collect(name: str) -> None:
        job, digest = handed.pop(name)
        files = workers[name].files()
        finish(job, digest, run_job(pkg, job, inputs) if files is None else files)  # None: its process died

    try:
        for job in jobs:
            for name in [name for name, (earlier, _) in handed.items() if job.depends_on(earlier)]:
                collect(name)
            is_dirty, digest = dirty(pkg, job, inputs, recorded.get(job.name))
            if not (is_dirty or check or force):
                records[job.name] = recorded[job.name]
                continue
            for worker in workers.values():  # there is work to do: the apart jobs' scripts load meanwhile
                worker.start()
            if job.name in workers:
                workers[job.name].run(inputs.read_by(job.reads))
                handed[job.name] = (job, digest)
                continue
            finish(job, digest, run_job(pkg, job, inputs))
        for name in list(handed):
            collect(name)
    finally:
        for worker in workers.values():
            worker.stop()
    manifest = manifest_text(records).encode("utf-8")
    current = pkg.file(MANIFEST)
    if not (current.is_file() and current.read_bytes() == manifest):
        if check:
            result.stale.append(MANIFEST)
        else:
            write_atomically(current, manifest)
            result.written.append(MANIFEST)
    return result


def can_rerun(pkg: Package) -> bool:
    """Whether the jobs can run here: their declaration is present (a bare copy of the data has none)
    and so is the build's exchange-rate data (an install without the `validate` extra has none)."""
    return pkg.file(JOBS_FILE).is_file() and can_rebuild()


def freshness(pkg: Package, read: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """What the last build's manifest says is out of date: the dirty jobs (their inputs changed since they
    ran), and the outputs changed since they were written. Without scripts/jobs.toml or without the
    build's exchange-rate data (an install without the `validate` extra), the jobs cannot be rerun, so
    only the outputs are compared with the manifest. `read`: the sha256 of files already read, by path
    relative to the root."""
    recorded = read_manifest(pkg)
    inputs = Inputs(pkg, read=read)
    if not can_rerun(pkg):
        if not recorded:
            return ["(no build manifest)"], []
        return [], sorted({rel for rec in recorded.values() for rel in changed_outputs(pkg, rec, inputs.digest)})
    jobs = read_jobs(pkg)
    changed = sorted(
        {rel for job in jobs if job.name in recorded for rel in changed_outputs(pkg, recorded[job.name], inputs.digest)}
    )
    dirty_jobs = []
    for job in jobs:
        record = recorded.get(job.name)
        # A job that reads an output changed by hand is not reported too: that file is the one cause.
        if any(job.reads(rel) for rel in changed):
            continue
        if record is None or record["inputs"] != job_digest(pkg, job, inputs):
            dirty_jobs.append(job.name)
    return dirty_jobs, changed


def generate(root: Path | str | None = None, tables_only: bool = False) -> dict[str, bytes]:
    """Every generated file, rebuilt in memory from the package's inputs (nothing is written). With
    `tables_only`, only the jobs that derive tables run (no document or figure is made)."""
    pkg = open_package(root)
    inputs = Inputs(pkg)
    for job in read_jobs(pkg):
        if tables_only and not any(job.writes(rel) for rel in pkg.derived_paths):
            continue
        inputs.written.update(run_job(pkg, job, inputs))
    return inputs.written


def derived_tables(root: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """The derived tables rebuilt in memory from the package's inputs, typed as `load` types them."""
    pkg = open_package(root)
    inputs = Inputs(pkg, written=generate(pkg.root, tables_only=True))
    return {res.name: inputs.derived(res.name) for res in pkg.resources.values() if res.derived}


def main(script: str) -> None:
    """`python scripts/<job>.py`: run that job alone on the package around the script and write what it
    makes (the manifest is left to `ai-labs-data build`, which sees the job as dirty next time)."""
    path = Path(script).resolve()
    pkg = open_package(path.parents[1])
    job = next((j for j in read_jobs(pkg) if (pkg.root / j.script).resolve() == path), None)
    if job is None:
        sys.exit(f"{path.name} is not declared in {JOBS_FILE}")
    for rel, data in run_job(pkg, job, Inputs(pkg)).items():
        write_atomically(pkg.file(rel), data)
        print(f"wrote {rel}")
