"""Shared setup of the recovery suite: a real `gonogo` subprocess stopped at a fault point
(``gonogo.faults``) by SIGKILL or SIGINT, and what a user sees afterwards — `runs`, `show`,
`lock`, `releases --check` — read the way they would read it.

Docker names are ``rec-…`` (images, Compose projects, containers); PostgreSQL databases are
``gonogo_rec_…``; everything made here is removed at the end of its module or session."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from testing import services
from testing.cli import gonogo

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "docker"

#: How each test stops gonogo: SIGKILL (nothing runs after it) or SIGINT (Ctrl-C).
SIGNALS = {"kill": -signal.SIGKILL, "int": None}


def stop_at(args: list[str], cwd: Path, point: str, how: str,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``gonogo ARGS`` stopped at fault point ``point`` by ``how`` (kill or int)."""
    done = gonogo(*args, cwd=cwd, env={**(env or {}), "GONOGO_FAULTPOINTS": f"{point}={how}"})
    if how == "kill":
        assert done.returncode == -signal.SIGKILL, (point, done.stdout, done.stderr)
    return done


def last_run(root: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    runs = json.loads(gonogo("runs", "--format", "json", cwd=root, env=env).stdout)
    assert runs, "no run journaled"
    return dict(runs[0])


def assert_shown_interrupted(root: Path, run: dict[str, Any], hint: str,
                             env: dict[str, str] | None = None) -> None:
    """`runs` (table and JSON, ``run`` being its JSON row) and `show` say the run was
    interrupted, with ``hint`` (how to go on), and never that it is still RUNNING."""
    assert run["status"] == "interrupted" and hint in (run["status_note"] or ""), run
    listed = gonogo("runs", cwd=root, env=env).stdout
    line = next(line for line in listed.splitlines() if run["run_id"] in line)
    assert "INTERRUPTED" in line and "RUNNING" not in listed, listed
    assert f"{run['run_id']}: interrupted: " in listed and hint in listed, listed
    shown = gonogo("show", run["run_id"], cwd=root, env=env).stdout
    assert f"· {run['command']} · INTERRUPTED" in shown and "RUNNING" not in shown, shown
    assert hint in shown, shown


def lock_state(root: Path, env: dict[str, str] | None = None) -> str:
    return gonogo("lock", cwd=root, env=env).stdout


@pytest.fixture(scope="session")
def docker_bin() -> str:
    return services.docker()


@pytest.fixture(scope="session")
def docker_env(docker_bin: str) -> dict[str, str]:
    return {"GONOGO_DOCKER": docker_bin, "DOCKER": docker_bin}


@pytest.fixture(scope="session")
def rec_image(docker_bin: str) -> Iterator[str]:
    """``rec-…/web`` with tags v1 and v4 (both healthy), built FROM scratch with busybox."""
    image = f"rec-{os.getpid()}-{secrets.token_hex(2)}/web"
    subprocess.run([str(EXAMPLE / "build-images.sh"), image, "v1", "v4"], check=True,
                   capture_output=True, env={**os.environ, "DOCKER": docker_bin})
    yield image
    subprocess.run([docker_bin, "image", "rm", "-f", f"{image}:v1", f"{image}:v4"],
                   capture_output=True)
