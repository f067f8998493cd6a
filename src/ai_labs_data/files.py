"""The one way this package writes a file: whole or not at all.

Every file a command writes goes to a temporary file in the same folder, is flushed to disk and renamed
over the old one: a reader, a full disk or a command killed half-way sees the old file or the new one,
never a part of either, and a failed write keeps the previous output.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write; renamed over `path` if the block succeeds, removed if not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
        with open(temp, "rb+") as written:  # the writer may have closed its own handle: flush through ours
            os.fsync(written.fileno())
        os.chmod(temp, _mode(path))
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _mode(path: Path) -> int:
    """The permissions the file should have: the old file's, else what the user's umask gives a new one
    (a temporary file is created readable by its owner only)."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole (see the module's docstring)."""
    with replacing(path) as temp:
        temp.write_bytes(data)


def write_with(path: Path, writer: Callable[[Path], None]) -> None:
    """Let `writer` write a file (a database, a workbook) at a temporary path, then put it at `path`."""
    with replacing(path) as temp:
        temp.unlink()  # writers that create their file (SQLite, DuckDB) want no file there
        writer(temp)
