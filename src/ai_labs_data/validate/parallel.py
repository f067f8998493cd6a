"""Run independent validation jobs on all cores. The jobs spend their time in pyarrow and numpy,
which release the GIL, so threads suffice and share the tables without copying them."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_jobs(jobs: Sequence[Callable[[], T]], cost: Sequence[float] | None = None) -> list[T]:
    """Each job's result, in job order. With `cost`, the costliest jobs start first, so the workers
    finish together instead of one of them starting a large job last."""
    workers = min(os.cpu_count() or 1, len(jobs), 4)
    if workers < 2:
        return [job() for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -cost[i]) if cost else list(range(len(jobs)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(lambda i: jobs[i](), order), strict=True))
    return [done[i] for i in range(len(jobs))]
