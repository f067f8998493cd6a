"""pyarrow's parse of a plainly well-formed CSV file, the fast path of reading (`csvio` falls back to
its exact reader for anything else), and the prefetch of those parses.

The command line starts parsing the package's files here while the interpreter is still importing
pandas and the validator: that import holds one core for a third of a second, and the parse needs
neither pandas nor more of a Table Schema than its field names.
"""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

BOM = b"\xef\xbb\xbf"
_prefetched: dict[tuple, Future] = {}


def read_file(path: Path) -> bytes:
    """The file's bytes. Read, not memory-mapped: a file truncated while a mapping of it is being
    parsed (an editor saving it mid-run) would kill the process with SIGBUS instead of an error."""
    return path.read_bytes()


def _count_newlines(data: bytes) -> int:
    """Count LF bytes in windows of 4 MB, so the comparison's temporary array stays small."""
    view = np.frombuffer(data, dtype=np.uint8)
    window = 4 * 1024 * 1024
    return sum(int(np.count_nonzero(view[i : i + window] == 0x0A)) for i in range(0, len(view), window))


def _arrow_table(data: bytes, names: list[str]) -> pa.Table | None:
    """The table read by pyarrow when it is plainly well-formed: exact header, one record per line, no
    blank line. Then record i is on line i + 2. Anything else returns None, and the exact (slower)
    reader locates the problem."""
    header_end = data.find(b"\n")
    if data[:header_end] != ",".join(names).encode("utf-8"):
        return None
    # With two or more columns pyarrow refuses a blank line (too few cells); with one, look for it.
    if len(names) < 2 and data.find(b"\n\n") >= 0:
        return None
    try:
        parsed = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            # 8 MB blocks: still parsed in parallel, and few enough chunks per column that nothing
            # downstream needs them joined into one (which would copy every buffer again).
            read_options=pacsv.ReadOptions(block_size=8 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                # large_string is what pandas' arrow-backed strings hold: no cast when handing over.
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    # One record per physical line: otherwise a quoted cell spans lines and line numbers would shift.
    if parsed.column_names != names or parsed.num_rows != _count_newlines(data) - 1:
        return None
    return parsed


def plain_table(data: bytes, names: list[str]) -> pa.Table | None:
    """The parsed table if the file is plain (no BOM, no CR, a final newline, well-formed), else None."""
    plain = len(data) > 0 and data[: len(BOM)] != BOM and data.find(b"\r") < 0 and data[-1:] == b"\n"
    return _arrow_table(data, names) if plain else None


def _key(path: Path, names: list[str]) -> tuple:
    """A parse's identity: a file changed since it was prefetched is parsed again."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, tuple(names))


def prefetch(files: list[tuple[Path, list[str]]]) -> None:
    """Start parsing these (regular) files, largest first, in the background; `parse` collects them."""
    files = sorted(((p, n) for p, n in files if p.is_file()), key=lambda f: -f[0].stat().st_size)
    if not files:
        return
    pool = ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 2), thread_name_prefix="prefetch")
    for path, names in files:
        _prefetched[_key(path, names)] = pool.submit(lambda p=path, n=names: plain_table(read_file(p), n))
    pool.shutdown(wait=False)


def parse_file(path: Path, names: list[str]) -> pa.Table | None:
    """plain_table of the file at `path`: the prefetched result when there is one for this very file
    and header, else read and parsed now."""
    future = _prefetched.pop(_key(path, names), None)
    if future is not None:
        # The prefetch is only a head start: should it have failed, parse again here.
        with contextlib.suppress(Exception):
            return future.result()
    return plain_table(read_file(path), names)
