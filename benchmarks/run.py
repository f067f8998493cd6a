"""Benchmark the validator against Frictionless and a plain pyarrow read, one process per case.

    python benchmarks/replicate.py /tmp/bench   # once: the real package copied to about 1M curated rows, built
    python benchmarks/run.py /tmp/bench [--repeat 5] [--skip-frictionless]

(benchmarks/generate.py writes a synthetic package of the same layout instead, curated tables only.)

Prints wall time and peak memory (max RSS) of each case, the ratios against the pyarrow read floor and
against `frictionless validate`, and whether every planted error was reported at its exact
file:line:column with no other problem reported. Each case runs --repeat times (the validations and the
floor taking turns) and the median counts (the best is printed beside it); frictionless runs once unless
--frictionless-repeat says otherwise, as one run takes minutes. With a built package (replicate.py) the
full rebuild is measured too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

FLOOR = """
import sys, pyarrow as pa, pyarrow.csv as pc
from pathlib import Path
for path in sorted(Path(sys.argv[1], "data").rglob("*.csv")):
    pc.read_csv(path, convert_options=pc.ConvertOptions(column_types={}, strings_can_be_null=False))
"""


def measure(cmd: list[str], out: Path | None = None) -> tuple[float, float, int]:
    """Run cmd in its own process; return (wall seconds, peak RSS in MB, exit code)."""
    sink = out.open("wb") if out else subprocess.DEVNULL
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if out:
        sink.close()
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def exactness(report_path: Path, expected_path: Path) -> tuple[int, int, int]:
    report = json.loads(report_path.read_text(encoding="utf-8"))
    got = {(p["file"], p["line"], p["column"], p["rule"]) for p in report["problems"]}
    want = {(e["file"], e["line"], e["column"], e["rule"]) for e in json.loads(expected_path.read_text())}
    return len(want), len(want - got), len(got - want)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench", type=Path, help="folder written by generate.py")
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; the median counts")
    parser.add_argument("--frictionless-repeat", type=int, default=1, help="runs of frictionless (minutes each)")
    parser.add_argument("--skip-frictionless", action="store_true", help="it takes minutes at 1M rows")
    args = parser.parse_args()
    cli = shutil.which("ai-labs-data") or sys.exit("ai-labs-data is not installed")
    cases = {
        "pyarrow read (floor)": [sys.executable, "-c", FLOOR, str(args.bench / "valid")],
        "ai-labs-data validate (valid)": [cli, "validate", str(args.bench / "valid")],
        "ai-labs-data validate (1,000 planted errors)": [
            cli,
            "validate",
            "--format",
            "json",
            str(args.bench / "invalid"),
        ],
    }
    manifest = args.bench / "valid" / "data" / "derived" / "build-manifest.json"
    if manifest.is_file():
        # A full rebuild: without its manifest every job runs (it writes the same bytes back).
        cases["ai-labs-data build (full rebuild)"] = [cli, "build", str(args.bench / "valid")]
    if not args.skip_frictionless:
        cases["frictionless validate (valid)"] = [
            "frictionless",
            "validate",
            str(args.bench / "valid" / "datapackage.json"),
        ]
    results = {}
    report = args.bench / "report.json"
    # The validations and the floor take turns, one run of each per round, after one round left
    # uncounted (a first run pays for the page cache and the allocator's first pages): a change in the
    # machine's speed while the benchmark runs (a third, here) then falls on every case alike. The build
    # and frictionless, each minutes of heavy work, run after them, so as not to slow the run after them.
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
    light = [name for name in cases if "build" not in name and "frictionless" not in name]
    for round_no in range(-1, args.repeat):
        for name in light:
            done = measure(cases[name], report if "planted" in name else None)
            if round_no >= 0:
                runs[name].append(done)
    for name in [name for name in cases if name not in light]:
        for _ in range(args.frictionless_repeat if "frictionless" in name else args.repeat):
            if "build" in name:
                manifest.unlink(missing_ok=True)
            runs[name].append(measure(cases[name]))
    for name, done in runs.items():
        walls = sorted(run[0] for run in done)
        results[name] = (walls[len(walls) // 2], max(run[1] for run in done), done[-1][2])
        wall, rss, code = results[name]
        spread = f"(median of {len(done)}; best {walls[0]:.2f} s)" if len(done) > 1 else ""
        print(f"{name:48s} {wall:8.2f} s {rss:8.0f} MB  exit {code}  {spread}", flush=True)
    floor = results["pyarrow read (floor)"][0]
    print()
    for name in [n for n in results if n.startswith("ai-labs-data")]:
        wall = results[name][0]
        line = f"{name}: {wall / floor:.1f}x the pyarrow floor"
        if "frictionless validate (valid)" in results:
            line += f", {results['frictionless validate (valid)'][0] / wall:.1f}x faster than frictionless"
        print(line)
    planted, missed, invented = exactness(report, args.bench / "expected.json")
    print(f"planted-error report: {planted} expected problems, {missed} missed, {invented} invented")


if __name__ == "__main__":
    main()
