"""Running local processes: own process group, bounded capture, no hang, no zombie.

asyncio's subprocess API is used as-is; what it lacks and is added here is killing the
whole process group on timeout/cancel (SIGTERM, then SIGKILL after a grace period),
capturing only the head and tail of huge output so a command printing 1 GB costs no memory,
and hearing the moment the process itself exits (``_ExitProtocol``), whoever holds its pipes.
``ending_group`` is the one place that knows how a process group is ended; the long-running
services of ``targets.background`` are ended by it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gonogo import private

KILL_GRACE_S = 2.0
DRAIN_AFTER_EXIT_S = 0.5
HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024


class BoundedCapture:
    """Keeps the first and last bytes of a stream and counts what it dropped in between."""

    def __init__(self, head: int = HEAD_BYTES, tail: int = TAIL_BYTES) -> None:
        self._head_limit, self._tail_limit = head, tail
        self.head = bytearray()
        self._tail: deque[bytes] = deque()
        self._tail_size = 0
        self.total = 0

    def write(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self._head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        self._tail.append(chunk)
        self._tail_size += len(chunk)
        while self._tail and self._tail_size - len(self._tail[0]) >= self._tail_limit:
            self._tail_size -= len(self._tail.popleft())

    @property
    def dropped(self) -> int:
        return self.total - len(self.head) - min(self._tail_size, self._tail_limit)

    def text(self) -> str:
        tail = b"".join(self._tail)[-self._tail_limit :] if self._tail else b""
        head = self.head.decode("utf-8", "replace")
        if self.dropped > 0:
            return (
                head
                + f"\n… [{self.dropped} bytes dropped] …\n"
                + tail.decode("utf-8", "replace")
            )
        return head + tail.decode("utf-8", "replace")


@dataclass
class ProcessResult:
    argv: Sequence[str]
    exit_code: int | None
    stdout: str
    stderr: str
    stdout_bytes: int
    stderr_bytes: int
    timed_out: bool = False
    lingering: bool = False  # children kept the output open after the main process ended


async def _pump(stream: asyncio.StreamReader | None, sink: BoundedCapture) -> None:
    if stream is None:
        return
    while chunk := await stream.read(65536):
        sink.write(chunk)


def kill_group(pid: int, sig: int) -> None:
    """Send ``sig`` to the process group ``pid`` leads; a group already gone is no error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def ending_group(pid: int, has_exited: Callable[[], bool]) -> Iterator[float]:
    """End the process group ``pid`` leads: SIGTERM, a grace period, then SIGKILL.

    The steps are a generator so that asyncio (``terminate``) and plain ``subprocess``
    callers (``targets.background.stop``) share them: it sends the signals, and each value
    it yields is how long the caller waits for the leader to exit, its own way, before
    resuming it. ``has_exited`` tells whether the leader has exited (and been reaped).
    """
    if not has_exited():
        kill_group(pid, signal.SIGTERM)
        yield KILL_GRACE_S
    # the leader may be gone while children that ignore SIGTERM live on: always finish the group
    kill_group(pid, signal.SIGKILL)
    if not has_exited():
        yield KILL_GRACE_S


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    stdin: bytes | None = None,
) -> ProcessResult:
    """Run ``argv`` in its own session; on timeout or cancellation kill its whole group."""
    out, err = BoundedCapture(), BoundedCapture()
    loop = asyncio.get_running_loop()
    # what asyncio.create_subprocess_exec does, with a protocol that also says when it exits
    transport, protocol = await loop.subprocess_exec(
        lambda: _ExitProtocol(loop),
        *argv,
        cwd=str(cwd) if cwd else None,
        env=dict(env) if env is not None else None,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
        umask=private.child_umask(),  # the user's commands write the user's files
    )
    proc = asyncio.subprocess.Process(transport, protocol, loop)
    exit_ = protocol.exit
    pumps = asyncio.gather(_pump(proc.stdout, out), _pump(proc.stderr, err))
    timed_out = lingering = False
    try:
        if stdin is not None and proc.stdin is not None:
            proc.stdin.write(stdin)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                await proc.stdin.drain()
            proc.stdin.close()
        try:
            await asyncio.wait_for(exited(proc, exit_), timeout)
        except TimeoutError:
            timed_out = True
            await terminate(proc, exit_)
        try:
            await asyncio.wait_for(asyncio.shield(pumps), DRAIN_AFTER_EXIT_S)
        except TimeoutError:
            # a background child still holds stdout/stderr open: don't hang on it
            lingering = True
            kill_group(proc.pid, signal.SIGKILL)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(pumps), DRAIN_AFTER_EXIT_S)
    except asyncio.CancelledError:
        await terminate(proc, exit_)
        pumps.cancel()
        raise
    finally:
        if not pumps.done():
            pumps.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pumps
    return ProcessResult(
        argv=argv,
        exit_code=proc.returncode,
        stdout=out.text(),
        stderr=err.text(),
        stdout_bytes=out.total,
        stderr_bytes=err.total,
        timed_out=timed_out,
        lingering=lingering,
    )


class _ExitProtocol(asyncio.subprocess.SubprocessStreamProtocol):
    """asyncio's protocol for a subprocess's streams, plus ``exit``: done the moment the
    process itself ends.

    Why: on Python 3.11 ``Process.wait()`` also waits for stdout and stderr to close, so a
    background child holding them would block it; watching the return code instead took a
    polling loop (wake-ups every 5-100 ms per process, and up to 100 ms late).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=2**16, loop=loop)  # asyncio.streams' default limit
        self.exit: asyncio.Future[None] = loop.create_future()

    def process_exited(self) -> None:
        super().process_exited()
        if not self.exit.done():
            self.exit.set_result(None)


async def exited(proc: asyncio.subprocess.Process, exit_: asyncio.Future[None]) -> int:
    """Wait for the process itself to end (``exit_``, from its ``_ExitProtocol``), whoever
    still holds its pipes; a timeout around this wait leaves ``exit_`` usable again."""
    await asyncio.shield(exit_)
    assert proc.returncode is not None
    return proc.returncode


async def terminate(proc: asyncio.subprocess.Process, exit_: asyncio.Future[None]) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after the grace period."""
    for grace in ending_group(proc.pid, lambda: proc.returncode is not None):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(exited(proc, exit_), grace)
