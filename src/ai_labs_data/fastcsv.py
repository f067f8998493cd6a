"""pyarrow's parse of a plainly well-formed CSV file, the fast path of reading (`csvio` falls back to
its exact reader for anything else), and the prefetch of those parses.

The command line starts parsing the package's files here while the interpreter is still importing
pandas and the validator: that import holds one core for a third of a second, and the parse needs
neither pandas nor more of a Table Schema than its field names.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

BOM = b"\xef\xbb\xbf"
_prefetched: dict[tuple, Future] = {}


def read_file(path: Path) -> bytes:
    """The file's bytes. Read, not memory-mapped: a file truncated while a mapping of it is being
    parsed (an editor saving it mid-run) would kill the process with SIGBUS instead of an error."""
    return path.read_bytes()


def _read_array(path: Path) -> np.ndarray:
    """The file's bytes in a numpy array (read, not mapped, as in `read_file`). numpy asks the kernel
    for huge pages for a large array, so filling it costs a fraction of the page faults of `bytes`.
    pyarrow then parses slices of this one buffer: letting pyarrow stream the file itself measured
    0.8 s slower on the 1M-row benchmark."""
    with path.open("rb", buffering=0) as file:
        data = np.empty(os.fstat(file.fileno()).st_size, dtype=np.uint8)
        view, read = memoryview(data), 0
        while read < len(data) and (got := file.readinto(view[read:])):  # a read may return less
            read += got
    return data[:read]


WINDOW = 4 << 20  # bytes compared per step: the comparisons' temporary arrays stay small


def _plain_layout(data: np.ndarray, names: list[str]) -> int | None:
    """The number of LF bytes if the file is laid out plainly: the exact header first (so no BOM), no
    CR, no blank line, a final newline; None otherwise."""
    header = ",".join(names).encode("utf-8") + b"\n"
    if data[: len(header)].tobytes() != header or data[-1] != 0x0A:
        return None
    newlines = 0
    previous_ends_line = False
    for start in range(0, len(data), WINDOW):
        window = data[start : start + WINDOW]
        if np.count_nonzero(window == 0x0D):
            return None
        ends = window == 0x0A
        # A blank line (two LFs in a row, within a window or across two) goes to the exact reader, which
        # names it; pyarrow would read it as a record of empty cells.
        if (previous_ends_line and ends[0]) or np.any(ends[:-1] & ends[1:]):
            return None
        previous_ends_line = bool(ends[-1])
        newlines += int(np.count_nonzero(ends))
    return newlines


class Parse(NamedTuple):
    table: pa.Table | None  # None: not plainly well-formed, for the exact reader
    sha256: str  # of the bytes read: the build's manifest records files by it, so freshness reuses it


def plain_table(path: Path, names: list[str]) -> Parse:
    """The table read by pyarrow when the file is plainly well-formed: exact header, one record per
    line, no blank line, no BOM or CR, a final newline. Then record i is on line i + 2. Anything else
    has no table, and the exact (slower) reader locates the problem."""
    data = _read_array(path)
    return Parse(_parsed(data, names), hashlib.sha256(data).hexdigest())


def _parsed(data: np.ndarray, names: list[str]) -> pa.Table | None:
    newlines = _plain_layout(data, names)
    if newlines is None:
        return None
    try:
        parsed = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            # 8 MB blocks: still parsed in parallel, and few enough chunks per column that nothing
            # downstream needs them joined into one (which would copy every buffer again).
            read_options=pacsv.ReadOptions(block_size=8 << 20),
            # Quoted line breaks are not allowed, which spares pyarrow a pass over the quoting to find
            # block boundaries. A file that has one fails to parse, or parses into fewer records than
            # it has lines; either way the check below sends it to the exact reader.
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                # Arrow strings, as the frames read from CSV hold them (`arrowtext.PANDAS_TYPES`).
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    # One record per physical line: otherwise a quoted cell spans lines and line numbers would shift.
    if parsed.column_names != names or parsed.num_rows != newlines - 1:
        return None
    return parsed


def _key(path: Path, names: list[str]) -> tuple:
    """A parse's identity: a file changed since it was prefetched is parsed again."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, tuple(names))


def prefetch(files: list[tuple[Path, list[str]]]) -> None:
    """Start parsing these (regular) files, largest first, in the background; `parse_file` collects
    them."""
    files = sorted(((p, n) for p, n in files if p.is_file()), key=lambda f: -f[0].stat().st_size)
    if not files:
        return
    # One file at a time: pyarrow parses each on every core already, and a file's bytes and its parse are
    # both in memory until it is done (two large files at once measured 50-100 MB more at the peak).
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch")
    for path, names in files:
        _prefetched[_key(path, names)] = pool.submit(plain_table, path, names)
    pool.shutdown(wait=False)


def parse_file(path: Path, names: list[str]) -> Parse:
    """plain_table of the file at `path`: the prefetched result when there is one for this very file
    and header, else read and parsed now."""
    future = _prefetched.pop(_key(path, names), None)
    # The reader has started: it parses each file as it needs it from here on. Files parsed further
    # ahead would only wait in memory, every table's text at once, so the parses not yet begun are
    # called off.
    for waiting in _prefetched.values():
        waiting.cancel()
    if future is not None and not future.cancelled():
        # The prefetch is only a head start: should it have failed, parse again here.
        with contextlib.suppress(Exception):
            return future.result()
    return plain_table(path, names)
