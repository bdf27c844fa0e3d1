"""Running gonogo at a real terminal: a pseudo-terminal (pexpect), where a person would
type an answer to a confirmation prompt."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pexpect

PROMPT = r"\[y/N\] "


@dataclass
class TtyRun:
    returncode: int
    #: Everything written to the terminal (stdout and stderr together), ``\r\n`` as ``\n``.
    output: str
    #: The line that asked, up to and including ``[y/N] `` (None when nothing asked).
    prompt: str | None


def gonogo_tty(*args: str, cwd: Path | str, answer: str | None,
               env: Mapping[str, str] | None = None, timeout: float = 120) -> TtyRun:
    """``python -m gonogo ARGS`` with stdin/stdout/stderr on a pseudo-terminal; when it asks
    ``[y/N]``, type ``answer`` and Enter. ``answer=None`` expects no question at all."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    full_env.update({"NO_COLOR": "1", "COLUMNS": "200", "TERM": "dumb"})
    full_env.update(env or {})
    child = pexpect.spawn(sys.executable, ["-m", "gonogo", *args], cwd=str(cwd), env=full_env,
                          encoding="utf-8", timeout=timeout, dimensions=(50, 200), echo=False)
    seen = ""
    prompt = None
    if answer is not None:
        child.expect(PROMPT)
        seen = str(child.before) + str(child.after)
        prompt = seen.replace("\r\n", "\n").rsplit("\n", 1)[-1]
        child.sendline(answer)
    child.expect(pexpect.EOF)
    seen += str(child.before)
    child.close()
    code = child.exitstatus if child.exitstatus is not None else 128 + (child.signalstatus or 0)
    return TtyRun(code, seen.replace("\r\n", "\n"), prompt)
