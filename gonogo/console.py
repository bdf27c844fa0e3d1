"""Writing to the terminal: standard streams that survive a closed pipe, and plain tables
whose columns fit their content.

``gonogo restore … | head`` closes gonogo's stdout early. The work must not stop for that
(a restore aborted half-way is far worse than lost progress lines), so a closed pipe
turns the stream into a sink: the first failure points the descriptor at /dev/null (the
recipe of Python's signal documentation, so the interpreter's last flush stays quiet too)
and says so once on stderr; the exit code still reports the work.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Sequence
from typing import IO, Any


class PipeSafe(io.TextIOBase):
    """A text stream that writes through to ``stream`` until the reader goes away, and then
    drops what is written. Everything else (``isatty``, ``encoding``, ``fileno``) is the
    wrapped stream's, so rich and ``print`` see the real terminal."""

    def __init__(self, stream: IO[str], name: str) -> None:
        super().__init__()
        self._stream, self._name = stream, name
        self.closed_by_reader = False

    def write(self, text: str) -> int:
        if not self.closed_by_reader:
            try:
                self._stream.write(text)
            except (BrokenPipeError, ConnectionResetError):
                self._lost()
            except OSError as exc:
                if exc.errno not in (32, 104):  # EPIPE, ECONNRESET
                    raise
                self._lost()
        return len(text)

    def flush(self) -> None:
        if self.closed_by_reader:
            return
        try:
            self._stream.flush()
        except (BrokenPipeError, ConnectionResetError):
            self._lost()

    def _lost(self) -> None:
        self.closed_by_reader = True
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        if self._name == "stdout":
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write("gonogo: standard output was closed early; the command "
                                 "carries on without printing\n")
                sys.stderr.flush()

    def isatty(self) -> bool:
        return not self.closed_by_reader and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8") or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._stream, "errors", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """Make stdout and stderr pipe-safe for the rest of the process, and able to print any
    path: a file name that is not valid UTF-8 (``\\udcff``) prints escaped, never raises."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    if sys.stdout is not None and not isinstance(sys.stdout, PipeSafe):
        sys.stdout = PipeSafe(sys.stdout, "stdout")
    if sys.stderr is not None and not isinstance(sys.stderr, PipeSafe):
        sys.stderr = PipeSafe(sys.stderr, "stderr")


def table(rows: Sequence[Sequence[str]], indent: str = "", gap: str = "  ") -> list[str]:
    """Rows as aligned lines: every column as wide as its widest cell (header included), so
    no value is ever cut; the last column is not padded."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + gap.join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]
