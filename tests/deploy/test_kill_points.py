"""A deploy killed with SIGKILL anywhere — between and inside service updates, health
waits, backup, verify, watch, the `record` step, post, the rollback itself — is finished by
`gonogo resume RUN`: the old release healthy or the new one verified, the run journaled
with a truthful end and its results, the lock released.

The kill points are ``gonogo.faults`` seams armed through ``GONOGO_FAULTPOINTS``; the shell
driver (real subprocesses, files as the "platform") keeps the many points fast, and a
subset runs on a real Docker engine with Compose."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port

pytestmark = pytest.mark.slow

CONFIG = """\
version: 1
name: shop
environments:
  production: {}
contacts:
  - {role: On-call engineer, contact: "+1 555 0100"}
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: tests, title: Tests pass, run: "true"}
  - id: backup
    kind: backup
    checks:
      - id: dump
        title: Database dumped
        run: 'mkdir -p backups && cat live/api live/web > "backups/before-$GONOGO_VERSION" 2>/dev/null || test ! -e live/api'
  - id: migrate
    kind: deploy
    checks:
      - {id: migrate, title: Migrations applied, run: 'echo "$GONOGO_VERSION" >> migrations'}
  - id: verify
    kind: verify
    checks:
      - id: smoke
        title: Web serves the release
        run: 'test "$(cat live/web)" = "$GONOGO_VERSION"'
  - id: watch
    kind: watch
    duration: 500ms
    interval: 100ms
    checks:
      - {id: errors, title: No errors in the log, run: 'true'}
  - id: post
    kind: post
    checks:
      - {id: status, type: record, path: status.md}
  - id: undo
    kind: rollback
    checks:
      - {id: undo-note, title: Rollback noted, run: 'echo "undo $GONOGO_VERSION" >> rollbacks'}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/api'
    current: 'cat live/api 2>/dev/null || true'
    health: {command: 'test -s live/api', within: 2s, interval: 100ms}
  - name: web
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/web'
    current: 'cat live/web 2>/dev/null || true'
    health: {command: 'test "$(cat live/web)" != bad', within: 1s, interval: 100ms}
    needs: [api]
"""

#: Killed on the way to a good release (v2): resume ends with v2 live and verified.
FORWARD = [
    "deploy.gate",                    # run journaled, before the gate
    "check.before:tests",             # inside preflight
    "deploy.after_gate",              # plan printed, nothing changed
    "check.before:dump",              # inside the backup
    "deploy.after_backup",
    "check.before:migrate",           # inside a deploy phase (migration)
    "deploy.before_update:api",       # first change announced, not made
    "deploy.after_update:api",        # api changed, not yet journaled
    "health.probe:api",               # inside api's health wait
    "deploy.healthy:api",             # between the two services
    "deploy.after_update:web",
    "health.probe:web",               # inside web's health wait
    "deploy.before_verify",
    "check.before:smoke",             # inside verify
    "watch.sample:errors",            # inside the watch window
    "deploy.verified",
    "deploy.set_live:api",            # between recording services live
    "check.before:status",            # inside the `record` step
    "deploy.done",                    # all done but the journal's last word
]

#: Killed while rolling back a bad release (web unhealthy): resume ends with v1 serving.
ROLLBACK = [
    "rollback.before:web",
    "rollback.after:web",             # web back, api not yet
    "rollback.before:api",
    "check.before:undo-note",         # inside the rollback phases
    "rollback.health:api",
    "rollback.proven",
]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with v1 deployed and verified, copied by each test."""
    root = tmp_path_factory.mktemp("v1")
    write(root / "gonogo.yml", CONFIG)
    (root / "live").mkdir()
    first = gonogo("deploy", "--version", "v1", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


def journal(root: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(root / ".gonogo" / "state.db")
    conn.row_factory = sqlite3.Row
    return conn


def last_run(root: Path) -> sqlite3.Row:
    with journal(root) as conn:
        row = conn.execute("select * from runs order by started_at desc limit 1").fetchone()
    assert row is not None
    return row


def killed_then_resumed(root: Path, point: str, version: str) -> tuple[str, int, str]:
    """Deploy ``version`` with SIGKILL at ``point``, then `gonogo resume` the run."""
    killed = gonogo("deploy", "--version", version, cwd=root,
                    env={"GONOGO_FAULTPOINTS": f"{point}=kill"})
    assert killed.returncode == -9, (point, killed.stdout, killed.stderr)  # the point fired
    run = last_run(root)
    assert run["status"] == "running" and run["version"] == version
    resumed = gonogo("resume", run["id"], cwd=root)
    return run["id"], resumed.returncode, resumed.stdout + resumed.stderr


def assert_finished(root: Path, run_id: str, code: int, status: str, version: str) -> None:
    """The run's end is journaled truthfully; what is live is what the journal says."""
    with journal(root) as conn:
        run = conn.execute("select * from runs where id = ?", (run_id,)).fetchone()
        results = {r["check_id"]: r["outcome"] for r in
                   conn.execute("select check_id, outcome from results where run_id = ?",
                                (run_id,))}
        release = conn.execute("select status, verified from releases where run_id = ?",
                               (run_id,)).fetchone()
        live = {r["service"]: r["version"] for r in
                conn.execute("select service, version from live_services")}
        locks = conn.execute("select count(*) from deploy_locks").fetchone()[0]
    assert (run["status"], run["exit_code"]) == ("finished", code)
    assert run["verdict"] == ("GO" if code == 0 else "NO-GO")
    assert (release["status"], bool(release["verified"])) == (status, status == "live")
    assert locks == 0
    assert live == {"api": version, "web": version}
    for service in ("api", "web"):
        assert (root / "live" / service).read_text().strip() == version
    if code == 0:
        for item in ("deploy.api", "health.api", "deploy.web", "health.web", "smoke", "errors",
                     "status"):
            assert results[item] == "passed", (item, results)
        assert "| production | v2 |" in (root / "status.md").read_text()
    else:
        for item in ("rollback.web", "rollback.api", "rollback-health.web",
                     "rollback-health.api"):
            assert results[item] == "passed", (item, results)
        assert results["health.web"] == "failed"


@pytest.fixture
def project(released: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(released, root)
    return root


@pytest.mark.parametrize("point", FORWARD)
def test_killed_on_the_way_to_a_good_release_resumes_to_it(project: Path, point: str) -> None:
    run_id, code, out = killed_then_resumed(project, point, "v2")
    assert code == 0, out
    assert f"Resuming run {run_id} (v2 to production), interrupted at stage " in out
    assert_finished(project, run_id, 0, "live", "v2")


@pytest.mark.parametrize("point", ROLLBACK)
def test_killed_while_rolling_back_resumes_the_rollback(project: Path, point: str) -> None:
    run_id, code, out = killed_then_resumed(project, point, "bad")
    assert code == 5, out
    assert "Rolling back what the interrupted run changed: api, web" in out
    assert "Rolled back bad in production: web is not healthy on bad" in out
    assert_finished(project, run_id, 5, "rolled_back", "v1")


def test_there_are_at_least_twenty_distinct_kill_points() -> None:
    assert len(set(FORWARD + ROLLBACK)) == len(FORWARD + ROLLBACK) >= 20


# ---- the same on a real Docker engine (Compose) -----------------------------------------

COMPOSE = """\
version: "2.4"
services:
  api:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{api_port}"}}
    init: true
  web:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{web_port}"}}
    init: true
"""

COMPOSE_CONFIG = """\
version: 1
name: compose-kill
environments:
  production: {{}}
services:
  - name: api
    driver: compose
    project: {project}
    image: {image}
    health: {{url: "http://127.0.0.1:{api_port}/health", within: 20s, interval: 200ms}}
  - name: web
    driver: compose
    project: {project}
    image: {image}
    health: {{url: "http://127.0.0.1:{web_port}/health", within: 8s, interval: 200ms}}
    needs: [api]
"""


@pytest.fixture
def compose_project(tmp_path: Path, web_image: str, name: str, docker_env: dict[str, str]
                    ) -> Iterator[tuple[Path, int, int]]:
    api_port, web_port = free_port(), free_port()
    values = {"image": web_image, "api_port": api_port, "web_port": web_port, "project": name}
    write(tmp_path / "docker-compose.yml", COMPOSE.format(**values))
    write(tmp_path / "gonogo.yml", COMPOSE_CONFIG.format(**values))
    yield tmp_path, api_port, web_port
    subprocess.run(["docker-compose", "-p", name, "-f", str(tmp_path / "docker-compose.yml"),
                    "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})


def version_at(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as response:
        return str(response.read().decode().strip())


@pytest.mark.parametrize(("point", "version", "code", "serving"), [
    ("deploy.after_update:api", "v4", 0, "v4"),   # api's container replaced, then killed
    ("health.probe:web", "v4", 0, "v4"),          # inside web's health wait
    ("rollback.after:api", "v2", 5, "v1"),        # v2 has no /health: killed mid-rollback
])
def test_compose_killed_deploy_resumes_to_a_healthy_release(
        compose_project: tuple[Path, int, int], docker_env: dict[str, str], point: str,
        version: str, code: int, serving: str) -> None:
    root, api_port, web_port = compose_project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0
    killed = gonogo("deploy", "--version", version, cwd=root,
                    env={**docker_env, "GONOGO_FAULTPOINTS": f"{point}=kill"})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    run_id = last_run(root)["id"]
    resumed = gonogo("resume", run_id, cwd=root, env=docker_env)
    assert resumed.returncode == code, resumed.stdout + resumed.stderr
    assert version_at(api_port) == serving and version_at(web_port) == serving
    shown = json.loads(gonogo("report", run_id, "--format", "json", cwd=root).stdout)
    assert shown["exit_code"] == code and shown["finished_at"] is not None
    assert gonogo("lock", cwd=root).stdout == "no deploy lock is held\n"
