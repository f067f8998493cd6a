"""The `ai-labs-data` command: validate and format the package."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from .collector import collector_paused
from .package import DataError, PackageError, command_root, open_package

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command stopped by Ctrl-C (128 + SIGINT)


def _fast_allocator() -> None:
    """Give arrow's memory to mimalloc, told never to return freed memory to the system. Validation
    allocates and frees many column-sized buffers; mimalloc backs them with huge pages, but by default
    hands freed ones back at once, so every new buffer page-faults and is zeroed again. Measured on
    the 1M-row benchmark: about 1.4 s less system time than mimalloc's default, 0.4 s less than
    jemalloc. mimalloc may read its options as soon as pyarrow loads: set before anything imports it."""
    os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # a pyarrow built without mimalloc keeps its default
        pa.set_memory_pool(pa.mimalloc_memory_pool())
    _keep_freed_memory()


# glibc's mallopt parameters (malloc.h) and the values validation runs with.
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
MALLOPT = {M_MMAP_THRESHOLD: 32 << 20, M_TRIM_THRESHOLD: 1 << 30, M_TOP_PAD: 16 << 20}


def _keep_freed_memory() -> None:
    """numpy's memory comes from the C library's malloc. glibc maps each array of more than 128 KB
    afresh and unmaps it when freed, and trims its heap as soon as its top is free, so the next array
    pays a page fault for every 4 KB again: the many mid-sized masks and positions of the checks spent
    more time faulting than computing. Up to 32 MB an array is now taken from the heap, which keeps
    what is freed (interleaved runs on the 1M-row benchmark: 1.5% less CPU, the same peak memory).
    Other C libraries are left as they are."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return
    except (AttributeError, ValueError, OSError):  # not a GNU C library (macOS, Windows, musl)
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt
        for parameter, value in MALLOPT.items():
            mallopt(parameter, value)


def _prefetch(root: Path | None) -> None:
    """Start parsing the package's CSV files (fastcsv) before the validator's imports: they would
    otherwise keep the second core idle. Anything unusual is left to the validator to report."""
    from . import fastcsv
    from .package import read_json, resource_paths

    try:
        pkg = open_package(root)
        files = []
        for res in pkg.resources.values():
            data_path, schema_path, _ = resource_paths(pkg, res)
            if data_path and schema_path:
                files.append((data_path, [f["name"] for f in read_json(schema_path)["fields"]]))
    except (PackageError, OSError, KeyError, TypeError, ValueError):
        return
    fastcsv.prefetch(files)


def _validate(args: argparse.Namespace) -> int:
    with collector_paused():
        if not args.list_rules:
            _fast_allocator()
            _prefetch(args.path)
        from .validate import validate
        from .validate.catalogue import catalogue
        from .validate.report import FORMATS

    if args.list_rules:
        for layer, name, description in catalogue():
            print(f"{layer:9s} {name}: {description}")
        return EXIT_VALID
    report = validate(args.path)
    print(FORMATS[args.format](report))
    return EXIT_VALID if report.valid else EXIT_INVALID


def _fmt(args: argparse.Namespace) -> int:
    from .fmt import format_package

    result = format_package(open_package(args.path), check=args.check)
    for p in result.problems:
        print(p.text(), file=sys.stderr)
    verb = "would reformat" if args.check else "reformatted"
    for file in result.changed:
        print(f"{verb} {file}")
    if result.problems:
        print("cannot format files with structural problems; fix them first (ai-labs-data validate)", file=sys.stderr)
        return EXIT_INVALID
    if args.check and result.changed:
        return EXIT_INVALID
    if not result.changed:
        print("all files are in canonical form")
    return EXIT_VALID


def _build(args: argparse.Namespace) -> int:
    with collector_paused():
        from .jobs import build

    result = build(args.path, check=args.check, force=args.force)
    for file in result.stale:
        print(f"stale: {file} differs from a rebuild; run `ai-labs-data build`")
    for file in result.written:
        print(f"rebuilt {file}")
    if not result.stale and not result.written:
        print("derived tables are up to date")
    return EXIT_INVALID if result.stale else EXIT_VALID


def _export(args: argparse.Namespace) -> int:
    from .export.common import export_tables
    from .export.writers import WRITERS
    from .validate import validate

    # An export is what users open in a spreadsheet or a database: only a valid package is exported.
    report = validate(args.path)
    if not report.valid:
        for problem in report.problems[:10]:
            print(problem.text(), file=sys.stderr)
        more = f" (and {len(report.problems) - 10} more)" if len(report.problems) > 10 else ""
        print(f"not exported: the package has {len(report.problems)} problem(s){more}", file=sys.stderr)
        return EXIT_INVALID
    if args.out.exists() and not args.out.is_dir():
        raise PackageError(f"--out {args.out} is a file: give a folder to write into")
    pkg, tables = export_tables(args.path)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackageError(f"--out {args.out}: cannot create the folder ({exc.strerror})") from None
    for path in WRITERS[args.format](pkg, tables, args.out):
        print(f"wrote {path}")
    return EXIT_VALID


def _cite(args: argparse.Namespace) -> int:
    from .citation import citation

    print(citation(args.format, args.path))
    return EXIT_VALID


def _info(args: argparse.Namespace) -> int:
    from .info import info

    print(info(args.path))
    return EXIT_VALID


def _show(args: argparse.Namespace) -> int:
    from .show import show

    text, found = show(args.key, args.path, args.table)
    print(text, file=sys.stdout if found else sys.stderr)
    return EXIT_VALID if found else EXIT_INVALID


def _coverage(args: argparse.Namespace) -> int:
    from .coverage import report

    print(report(args.path))
    return EXIT_VALID


def _diff(args: argparse.Namespace) -> int:
    from .diff import diff_specs, render

    result = diff_specs(args.old, args.new, Path.cwd())
    print(render(result, args.old, args.new, args.format, args.limit))
    return EXIT_VALID


class _Version(argparse.Action):
    """--version: the installed version, looked up only when asked (importlib.metadata is slow to load)."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[override]
        from . import __version__

        print(f"ai-labs-data {__version__}")
        parser.exit()


# Optional dependencies, by the extra that installs them: a command that needs one says so in one line.
EXTRAS = {
    "pandera": "validate",
    "frictionless": "validate",
    "currency_converter": "validate",
    "matplotlib": "validate",
    "duckdb": "export",
    "openpyxl": "export",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ai-labs-data", description="Validate and maintain the ai-labs-data package.")
    parser.add_argument("--version", action=_Version, nargs=0, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="check structure and rules; report every problem as file:line:column")
    v.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="package folder or its datapackage.json (default: the package around the current directory, "
        "else the installed data)",
    )
    v.add_argument(
        "--format",
        choices=["text", "json", "github"],
        default="text",
        help="output format (github: workflow annotations)",
    )
    v.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    v.set_defaults(run=_validate)
    f = sub.add_parser("fmt", help="rewrite curated CSVs in canonical order and form")
    f.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    f.add_argument("--check", action="store_true", help="only report files that are not canonical (exit 1 if any)")
    f.set_defaults(run=_fmt)
    b = sub.add_parser("build", help="rebuild the derived tables under data/derived/")
    b.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    b.add_argument("--check", action="store_true", help="only report derived files that are stale (exit 1 if any)")
    b.add_argument("--force", action="store_true", help="rebuild even when nothing changed since the last build")
    b.set_defaults(run=_build)
    e = sub.add_parser("export", help="write every table to parquet, sqlite, duckdb, xlsx or json")
    e.add_argument("--format", required=True, choices=["parquet", "sqlite", "duckdb", "xlsx", "json"])
    e.add_argument("--out", required=True, type=Path, help="folder to write into")
    e.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    e.set_defaults(run=_export)
    c = sub.add_parser("cite", help="print how to cite this version of the dataset")
    c.add_argument("--format", choices=["text", "bibtex"], default="text")
    c.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    c.set_defaults(run=_cite)
    i = sub.add_parser("info", help="version, data cut-off, rows per table, sources by tier, companies")
    i.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    i.set_defaults(run=_info)
    s = sub.add_parser(
        "show", help="one fact field by field: each value, its source and quote, and the competing values"
    )
    s.add_argument("key", help="the fact's key, parts joined by | (e.g. deepseek/deepseek-v3, zhipu|2026-01-30)")
    s.add_argument("--table", default=None, help="look only in this table")
    s.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    s.set_defaults(run=_show)
    cv = sub.add_parser(
        "coverage", help="fields filled in the resolved facts; share of shown values resting on aggregators"
    )
    cv.add_argument("path", nargs="?", type=Path, default=None, help="package folder or its datapackage.json")
    cv.set_defaults(run=_coverage)
    d = sub.add_parser("diff", help="rows added, removed and changed per table between two versions")
    d.add_argument("old", help="package folder or git revision (e.g. v0.1.0)")
    d.add_argument("new", help="package folder or git revision (e.g. HEAD)")
    d.add_argument("--format", choices=["text", "markdown"], default="text", help="markdown: a CHANGELOG section")
    d.add_argument("--limit", type=int, default=10, help="keys listed per kind of change and table")
    d.set_defaults(run=_diff)
    return parser


def _locate(args: argparse.Namespace) -> None:
    """Settle which package a command works on and say so in one line (on stderr, so that machine-read
    output stays clean): with no PATH, the package around the current directory, as git finds a
    repository, else the installed data."""
    if not hasattr(args, "path"):
        return
    args.path = command_root(args.path)
    pkg = open_package(args.path)
    print(f"package: {pkg.root} (version {pkg.version})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not getattr(args, "list_rules", False):
            _locate(args)
        return args.run(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except ModuleNotFoundError as exc:
        root = (exc.name or "").split(".")[0]
        if root not in EXTRAS:
            raise
        print(
            f"error: `ai-labs-data {args.command}` needs {root}, an optional dependency: "
            f"pip install 'ai-labs-data[{EXTRAS[root]}]'",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    except KeyboardInterrupt:  # Ctrl-C: every file is written whole or not at all, so a line is enough
        print("interrupted: no file was left half-written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): what it wanted has been written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_VALID
    except OSError as exc:  # the file system refused (permissions, a full disk): the old file is whole
        name = exc.filename2 or exc.filename  # a rename names its target second
        where = f"{name}: " if name else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNUSABLE


def run() -> None:
    """The console command: main(), then exit without tearing the interpreter down. After validating a
    large package, freeing its tables object by object takes a quarter of a second that the operating
    system does at once; everything the command writes is flushed first."""
    # The command does no linear algebra: idle OpenBLAS threads would only spin on its cores. This
    # must be set before numpy is first imported, which the command's own imports defer until here.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # the reader went away (e.g. `| head`): nothing left to write
        code = code or EXIT_INVALID
    os._exit(code)


if __name__ == "__main__":
    run()
