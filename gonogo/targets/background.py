"""Long-running local processes (a sample service): started in their own process group,
stopped as a whole group when the block that needs them ends.

``targets.local.run_process`` runs a command to its end under asyncio; a service instead
runs beside gonogo's synchronous code for as long as a ``with`` block lasts, so it is a
plain ``subprocess.Popen``. Both are ended the same way, by ``targets.local.ending_group``.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import IO

from gonogo.targets.local import ending_group

Sink = int | IO[bytes] | None


@contextlib.contextmanager
def background_process(
    argv: Sequence[str], *, cwd: Path, stdout: Sink = subprocess.PIPE, stderr: Sink = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` in a session and process group of its own and stop that whole group
    when the block ends, whatever ends it (an error, Ctrl-C).

    Its own group keeps a Ctrl-C in the terminal from reaching it before gonogo has
    finished with it, and lets ``stop`` end the children it started too.
    """
    process = subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End ``process``'s group (SIGTERM, a grace period, SIGKILL), reap it, close its pipes."""
    for grace in ending_group(process.pid, lambda: process.poll() is not None):
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM stops gonogo like Ctrl-C does (a ``KeyboardInterrupt``),
    so ``finally`` blocks run and the background processes are stopped too (the default
    SIGTERM would end gonogo and leave them running)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: nothing to install
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
