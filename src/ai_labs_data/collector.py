"""Pausing Python's cyclic garbage collector around work that creates many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: importing pandas creates tens of thousands of objects, and
    validation many short-lived pandas and arrow ones, but neither leaves garbage cycles worth
    collecting mid-run; the collector's passes over them cost a tenth of the import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
