"""Who runs a run, and whether that process is still there.

A run row records the host, pid and a start token of the process that runs it. A run left
``running`` whose process is gone was killed (kill -9, a crash, a reboot): it is
``interrupted``. The start token (Linux: boot id and the process's start time from
``/proc/PID/stat``) tells a reused pid from the original one; ``/proc`` is read directly
because psutil is not a dependency and two small reads is all this needs.
"""

from __future__ import annotations

import os
import socket


def _proc_stat(pid: int) -> list[str] | None:
    """The fields after the command name in ``/proc/PID/stat`` (state is the first)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[-1].split()
    except OSError:
        return None


def start_token(pid: int) -> str | None:
    """``<boot id>:<start time in clock ticks>`` of ``pid``; None where /proc has no answer."""
    fields = _proc_stat(pid)
    if fields is None or len(fields) < 20:
        return None
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            boot = handle.read().strip()
    except OSError:
        boot = "?"
    return f"{boot}:{fields[19]}"  # field 22 of stat: starttime


def identity() -> dict[str, object]:
    """This process as a run row records it: host, pid and start token."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "pid_start": start_token(pid)}


def gone(host: str | None, pid: int | None, token: str | None) -> str | None:
    """Why the process that ran a run is certainly gone, or None when it may be alive (or
    it ran on another host, where this process cannot look)."""
    if not host or pid is None or host != socket.gethostname():
        return None
    where = f"its process {pid} on {host}"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return f"{where} is gone"
    except PermissionError:
        pass  # alive, another user's
    fields = _proc_stat(pid)
    if fields is not None and fields[0] in ("Z", "X"):
        return f"{where} is gone"
    if token is not None:
        now = start_token(pid)
        if now is not None and now != token:
            return f"{where} is gone (pid {pid} now belongs to another process)"
    return None
