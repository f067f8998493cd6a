"""The tools on the real package, side by side in one run: `ai-labs-data validate` (every layer,
freshness included), `ai-labs-data build` (a full rebuild, and a no-op one) and `frictionless validate`.

    python benchmarks/real_package.py [--repeat 5]

Works on a copy of the package in a temporary folder (the repository is never written). Prints the
median and best wall time and the peak memory of each case, and the ratios against frictionless.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COPIED = [
    *["datapackage.json", "data", "schemas", "scripts", "docs"],
    *["CITATION.cff", ".zenodo.json", "croissant.json", "CONTRIBUTING.md"],
]


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Run cmd in its own process; return (wall seconds, peak RSS in MB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def copy_package(dest: Path) -> Path:
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy(src, dest / name)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tool = [sys.executable, "-m", "ai_labs_data.cli"]
    frictionless = shutil.which("frictionless") or "frictionless"
    with tempfile.TemporaryDirectory() as scratch:
        pkg = copy_package(Path(scratch))
        manifest = pkg / "data" / "derived" / "build-manifest.json"

        def full_build() -> list[str]:
            manifest.unlink(missing_ok=True)  # without a manifest every output is rebuilt and compared
            return [*tool, "build", str(pkg)]

        cases = {
            "frictionless validate": lambda: [frictionless, "validate", str(pkg / "datapackage.json")],
            "ai-labs-data validate": lambda: [*tool, "validate", str(pkg)],
            "ai-labs-data build (full)": full_build,
            "ai-labs-data build (nothing changed)": lambda: [*tool, "build", str(pkg)],
        }
        # The cases take turns, one run of each per round: a change in the machine's speed while the
        # benchmark runs falls on every case alike, and the ratios compare runs made side by side.
        runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, command in cases.items():
                runs[name].append(measure(command(), pkg))
        results = {}
        for name, done in runs.items():
            if any(code != 0 for _, _, code in done):
                sys.exit(f"{name} failed")
            times = [t for t, _, _ in done]
            results[name] = (statistics.median(times), min(times), max(m for _, m, _ in done))
    base = results["frictionless validate"][0]
    print(f"real package, {args.repeat} runs each (median, best, peak memory; ratio = frictionless / case):")
    for name, (median, best, memory) in results.items():
        print(f"  {name:38s} {median:6.2f} s  {best:6.2f} s  {memory:6.0f} MB  x{base / median:4.1f}")


if __name__ == "__main__":
    main()
