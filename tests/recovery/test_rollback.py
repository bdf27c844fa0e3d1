"""`gonogo rollback` stopped at each of its steps — SIGKILL or Ctrl-C — on a real Docker
engine (Compose): afterwards the journal says interrupted (never running), `releases
--check` says exactly whether the journal still matches the engine, the deploy lock is
stale or released and can be taken, and `resume` or a re-run converges on the target."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port
from tests.recovery.conftest import (
    assert_shown_interrupted,
    last_run,
    lock_state,
    stop_at,
)

pytestmark = pytest.mark.slow

COMPOSE = """\
version: "2.4"
services:
  api:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{api_port}"}}
    init: true
"""

CONFIG = """\
version: 1
name: rec-rollback
environments:
  production: {{}}
phases:
  - id: pre
    kind: preflight
    checks:
      - {{id: tests, title: Tests pass, run: "true"}}
  - id: verify
    kind: verify
    checks:
      - {{id: smoke, title: Smoke test, run: "true"}}
  - id: undo
    kind: rollback
    checks:
      - {{id: undo-note, title: Rollback noted, run: 'echo "undo $GONOGO_VERSION" >> rollbacks'}}
services:
  - name: api
    driver: compose
    project: {project}
    image: {image}
    health: {{url: "http://127.0.0.1:{api_port}/health", within: 20s, interval: 100ms}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, rec_image: str,
          docker_env: dict[str, str]) -> Iterator[Path]:
    """One Compose stack for the module: v1 then v4 deployed and verified."""
    root = tmp_path_factory.mktemp("rollback")
    project = "rec-" + secrets.token_hex(3)
    values = {"image": rec_image, "api_port": free_port(), "project": project}
    write(root / "docker-compose.yml", COMPOSE.format(**values))
    write(root / "gonogo.yml", CONFIG.format(**values))
    try:
        for version in ("v1", "v4"):
            done = gonogo("deploy", "--version", version, cwd=root, env=docker_env)
            assert done.returncode == 0, done.stdout + done.stderr
        yield root
    finally:
        subprocess.run(["docker-compose", "-p", project, "-f", str(root / "docker-compose.yml"),
                        "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})


#: (fault point, whether the engine already runs the target there, whether the journal
#: says so) along `gonogo rollback`: its plan, its rollback phase, the release row, the
#: service's update and health wait, the journal's record of it, the end.
STEPS = [
    ("rollback.planned", False, False),        # plan printed, nothing changed
    ("check.before:undo-note", False, False),  # inside the rollback phase
    ("rollback.released", False, False),       # release row started, no service touched
    ("deploy.after_update:api", True, False),  # container replaced, not yet journaled
    ("health.probe:api", True, False),         # inside api's health wait
    ("deploy.set_live:api", True, True),       # journal follows the engine
    ("deploy.done", True, True),               # all done but the run's last word
]
CHANGES = {point for point, _, _ in STEPS if point.startswith(("deploy.", "health.",
                                                              "rollback.released"))}


def live(root: Path) -> str:
    rows = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)["live"]
    assert [r["service"] for r in rows] == ["api"], rows
    return str(rows[0]["version"])


def converged(root: Path, image: str, version: str, env: dict[str, str]) -> None:
    """The journal, the engine and the lock agree: ``version`` live and healthy, no lock."""
    checked = gonogo("releases", "--check", cwd=root, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout == (f"production: the journal agrees with the engine for every "
                              f"service (api {image}:{version} running)\n")
    assert live(root) == version
    assert lock_state(root) == "no deploy lock is held\n"


@pytest.mark.parametrize("how", ["kill", "int"])
@pytest.mark.parametrize(("point", "engine_moved", "journaled"), STEPS,
                         ids=[point for point, _, _ in STEPS])
def test_rollback_stopped_at_each_step_converges(
        stack: Path, rec_image: str, docker_env: dict[str, str], point: str,
        engine_moved: bool, journaled: bool, how: str) -> None:
    frm = live(stack)
    to = "v1" if frm == "v4" else "v4"
    stopped = stop_at(["rollback"], stack, point, how, env=docker_env)
    run = last_run(stack)
    assert (run["command"], run["version"]) == ("rollback", to)
    checked = gonogo("releases", "--check", cwd=stack, env=docker_env)
    if how == "int" and point not in CHANGES:
        # Ctrl-C before any change: the run ends interrupted, the lock is released
        assert stopped.returncode == 130, stopped.stdout + stopped.stderr
        assert (f"interrupted by SIGINT (Ctrl-C) before this run changed anything: "
                f"`gonogo resume {run['run_id']}` continues it") in stopped.stdout
        assert_shown_interrupted(stack, run, f"gonogo resume {run['run_id']}")
        assert lock_state(stack) == "no deploy lock is held\n"
        assert checked.returncode == 0, checked.stdout
        again = gonogo("rollback", cwd=stack, env=docker_env)   # a re-run converges
        assert again.returncode == 0, again.stdout + again.stderr
    elif how == "int":
        # Ctrl-C once services change: half a rollback is the worst state — it is finished
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        if not journaled:  # (at the very end, the run is over before the signal is read)
            assert ("SIGINT (Ctrl-C) received while rolling back: finishing the rollback "
                    "first") in stopped.stdout
        assert last_run(stack)["status"] == "finished"
    else:
        # SIGKILL: interrupted with the resume hint, the lock stale; the journal tells the
        # truth until the engine moved and the journal has not caught up yet
        assert_shown_interrupted(stack, run, f"gonogo resume {run['run_id']}")
        assert lock_state(stack).startswith(
            "production: STALE: its process "), lock_state(stack)
        if engine_moved and not journaled:
            assert (checked.returncode, checked.stdout) == (1, (
                f"api: journal says {rec_image}:{frm} (live), engine runs {rec_image}:{to} "
                f"(live) — container {stack_project(stack)}_api_1 healthy\n"
                "production: the journal differs from the engine for 1 service (see above)\n"))
        else:
            assert checked.returncode == 0, checked.stdout
        resumed = gonogo("resume", run["run_id"], cwd=stack, env=docker_env)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert f"Resuming run {run['run_id']} ({to} to production)" in resumed.stdout
    converged(stack, rec_image, to, docker_env)


def stack_project(root: Path) -> str:
    text = (root / "gonogo.yml").read_text()
    return text.split("project: ", 1)[1].split()[0]
