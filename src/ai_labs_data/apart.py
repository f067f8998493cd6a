"""A rebuild job run in a process of its own, beside the build's other jobs.

Drawing the figures is Python-bound (matplotlib holds the GIL) and nothing after it reads them, so a build
forks one process for such a job (`apart = true` in scripts/jobs.toml) as soon as the build finds work to
do. The process imports the job's script (matplotlib alone takes a third of a second) and runs the
script's `prepare(inputs)`, if it has one, while the build derives the tables the job reads: `prepare`
reads only curated tables, which no job writes (the figures resolve their facts there). The process then
receives the derived tables' bytes, runs the job and sends back the files it makes. The build writes
them, as it writes every job's files, so a failing or killed process leaves nothing half-written.
Where a fork is unsafe or pays nothing (not Linux, one core, other threads running), the job runs in the
build's own process, as every other job does.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection

from .package import PackageError


def can_fork() -> bool:
    """Fork only where it is safe and pays: on Linux, with a second core, and from a process running no
    other Python thread (a notebook's kernel runs several: a lock one of them holds at the fork would
    stay held in the child for ever)."""
    alone = threading.active_count() == 1 and threading.current_thread() is threading.main_thread()
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and alone


def _serve(conn: Connection, root: str, name: str) -> None:
    """The forked process: import the job's script, wait for its inputs, run it, send back its files."""
    # Ctrl-C reaches every process of the terminal's group: the build handles it and stops this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .derive.inputs import Inputs
    from .jobs import load_script, read_jobs, run_job
    from .package import open_package

    try:
        pkg = open_package(root)
        job = next(j for j in read_jobs(pkg) if j.name == name)
        inputs = Inputs(pkg)
        try:
            script = load_script(pkg, job)
            if hasattr(script, "prepare"):
                inputs.declared, inputs.job = job.reads, job.name
                script.prepare(inputs)
        except Exception:  # run_job runs it again and names the failure
            script, inputs = None, Inputs(pkg)
        written = conn.recv()
        if written is not None:  # None: the job turned out clean, nothing to do
            inputs.written.update(written)
            conn.send(("files", run_job(pkg, job, inputs, script)))
    except PackageError as exc:
        conn.send(("error", str(exc)))
    except EOFError:  # the build stopped first
        pass
    finally:
        conn.close()


class ApartJob:
    """One job run in a forked process: `start()` early, `run(written)` once its inputs are made,
    `files()` to collect what it made (raises PackageError as the job would in process)."""

    def __init__(self, root: str, name: str) -> None:
        self.root, self.name = root, name
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._sender: threading.Thread | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        # The child inherits unflushed output buffers and flushes them when it ends: flush them first,
        # or a line printed before the fork would be printed twice.
        sys.stdout.flush()
        sys.stderr.flush()
        ctx = multiprocessing.get_context("fork")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(target=_serve, args=(child, self.root, self.name), daemon=True)
        self._process.start()
        child.close()

    def run(self, written: dict[str, bytes] | None) -> None:
        """Hand the started job its inputs (None: it has nothing to do). The bytes go through a pipe that
        holds 64 KB, read once the process has prepared: a thread sends them, so that the build goes on
        with the next job meanwhile."""
        assert self._conn is not None
        conn = self._conn

        def send() -> None:
            with contextlib.suppress(OSError):  # the process is gone: `files` finds out and says so
                conn.send(written)

        self._sender = threading.Thread(target=send, daemon=True)
        self._sender.start()

    def files(self) -> dict[str, bytes] | None:
        """The files the job made; None if its process died without an answer (the caller runs it then)."""
        assert self._conn is not None and self._sender is not None
        try:
            while self._sender.is_alive():  # in short steps, as below
                self._sender.join(0.1)
            # Wait in short steps: a Ctrl-C may be delivered to another thread of this process (arrow's),
            # and a wait with no end in the main thread would never see it.
            while not self._conn.poll(0.1):
                pass
            kind, payload = self._conn.recv()
        except (EOFError, OSError):  # it died without answering
            self.stop()
            return None
        self.stop(kill=False)  # it has answered and is ending (on Ctrl-C, the build's `finally` kills it)
        if kind == "error":
            raise PackageError(payload)
        return payload

    def stop(self, kill: bool = True) -> None:
        """End the process: at once (the build stopped), or once it has sent its answer. The connection
        is closed last: a sender still writing to it fails at once when the process is gone, whereas
        closing its file first could let another file reuse the number it writes to."""
        if self._process is not None and kill:
            self._process.kill()
        if self._sender is not None:
            self._sender.join()
            self._sender = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.join()
            self._process = None
