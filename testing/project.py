"""A gonogo project on disk for a test: a config file, its state, its processes."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path
from typing import Any

from gonogo.journal.releases import pid_alive
from testing.cli import write

__all__ = ["gone", "group_members", "json_report", "pid_alive", "project", "state_rows"]


def project(root: Path, config: str, name: str = "gonogo.yml") -> Path:
    """Write ``config`` (dedented) as ``root/name``; returns its path."""
    return write(root / name, textwrap.dedent(config).lstrip("\n"))


def state_rows(root: Path, sql: str = "select check_id, outcome from results order by seq") -> list[tuple[Any, ...]]:
    """Rows straight from ``.gonogo/state.db``, read with the stdlib (not gonogo's store)."""
    with sqlite3.connect(root / ".gonogo" / "state.db") as conn:
        return conn.execute(sql).fetchall()


def json_report(stdout: str) -> dict[str, Any]:
    """The JSON document a ``--report json:-`` run printed after its console lines."""
    start = stdout.index("\n{") + 1 if not stdout.startswith("{") else 0
    data: dict[str, Any] = json.JSONDecoder().raw_decode(stdout[start:])[0]
    return data


def group_members(pgid: int) -> list[int]:
    """Live processes (zombies excluded) whose process group is ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def gone(pid: int, within: float = 5.0) -> bool:
    """Whether ``pid`` is dead, allowing the kernel a moment to finish a kill already sent."""
    import time

    deadline = time.monotonic() + within
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
