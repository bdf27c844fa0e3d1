"""`gonogo deploy` with Compose on a real Docker engine: v1 deploys, v2 (no /health) and v3
(crashes at start) are rolled back with v1 serving again; releases and rollback tell the
truth; a concurrent deploy is refused; a deploy killed with -9 is resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port

COMPOSE = """\
version: "2.4"
services:
  api:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{api_port}"}}
    restart: unless-stopped
    init: true
  web:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{web_port}"}}
    restart: unless-stopped
    init: true
"""

CONFIG = """\
version: 1
name: compose-test
environments:
  production: {{}}
contacts:
  - {{role: On-call, contact: "oncall@example.com"}}
phases:
  - id: verify
    kind: verify
    checks:
      - id: web-home
        title: Web homepage shows the release
        type: http
        url: http://127.0.0.1:{web_port}/
        expect: {{status: 200, body_contains: "release ${{version}}"}}
        retry: {{interval: 200ms, within: 10s}}
services:
  - name: api
    driver: compose
    compose_file: docker-compose.yml
    project: {project}
    service: api
    image: {image}
    health: {{url: "http://127.0.0.1:{api_port}/health", within: 20s, interval: 200ms}}
  - name: web
    driver: compose
    compose_file: docker-compose.yml
    project: {project}
    service: web
    image: {image}
    health: {{url: "http://127.0.0.1:{web_port}/health", within: 20s, interval: 200ms}}
    needs: [api]
"""


@pytest.fixture
def project(tmp_path: Path, web_image: str, name: str, docker_env: dict[str, str]
            ) -> Iterator[tuple[Path, int, int]]:
    api_port, web_port = free_port(), free_port()
    values = {"image": web_image, "api_port": api_port, "web_port": web_port, "project": name}
    write(tmp_path / "docker-compose.yml", COMPOSE.format(**values))
    write(tmp_path / "gonogo.yml", CONFIG.format(**values))
    yield tmp_path, api_port, web_port
    subprocess.run(["docker-compose", "-p", name, "-f", str(tmp_path / "docker-compose.yml"),
                    "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})


def version_at(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as response:
        return str(response.read().decode().strip())


def test_compose_deploy_rollback_and_releases(project: tuple[Path, int, int],
                                              docker_env: dict[str, str], web_image: str) -> None:
    root, api_port, web_port = project
    first = gonogo("deploy", "--version", "v1", cwd=root, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"  1. api  compose (not running) → {web_image}:v1" in first.stdout
    assert "Deployed v1 to production: every service healthy, verification passed." in first.stdout
    assert version_at(api_port) == "v1" and version_at(web_port) == "v1"

    second = gonogo("deploy", "--version", "v2", cwd=root, env=docker_env)
    assert second.returncode == 5, second.stdout + second.stderr
    assert "✗ api healthy on v2 [services]" in second.stdout
    assert "unhealthy: wget: server returned error: HTTP/1.1 404 Not Found" in second.stdout
    assert f"✓ Roll back api to {web_image}:v1 [rollback]" in second.stdout
    assert f"✓ api healthy again on {web_image}:v1" in second.stdout
    assert "Roll back web" not in second.stdout  # web was never changed
    assert version_at(api_port) == "v1" and version_at(web_port) == "v1"

    third = gonogo("deploy", "--version", "v3", cwd=root, env=docker_env)
    assert third.returncode == 5, third.stdout + third.stderr
    # exited, or already crash-looping under `restart: unless-stopped`: either ends the wait
    assert "✗ api healthy on v3 [services]" in third.stdout
    assert "fatal: this release cannot start (v3 is broken on purpose)" in third.stdout
    assert version_at(api_port) == "v1"

    releases = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)
    assert [(r["version"], r["status"], r["verified"]) for r in releases["releases"]] == [
        ("v3", "rolled_back", False), ("v2", "rolled_back", False), ("v1", "live", True)]
    assert {s["service"]: s["image"] for s in releases["live"]} == {
        "api": f"{web_image}:v1", "web": f"{web_image}:v1"}


def _popen(root: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    full.update(env)
    full["NO_COLOR"] = "1"
    return subprocess.Popen([sys.executable, "-m", "gonogo", *args], cwd=root, env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_until(proc: subprocess.Popen[str], needle: str) -> str:
    seen = []
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if needle in line:
            return "".join(seen)
    raise AssertionError("".join(seen) + (proc.stderr.read() if proc.stderr else ""))


def test_compose_concurrent_deploy_refused_then_kill_9_and_resume(
        project: tuple[Path, int, int], docker_env: dict[str, str]) -> None:
    root, api_port, web_port = project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0

    running = _popen(root, docker_env, "deploy", "--version", "v4")
    try:
        _read_until(running, "… api:")
        other = gonogo("deploy", "--version", "v2", cwd=root, env=docker_env)
        assert other.returncode == 2
        assert other.stderr.startswith("gonogo: error: another deploy is running in production: "
                                       "lock held by ")
        assert f"(pid {running.pid}) deploying v4 for " in other.stderr
        _read_until(running, "… web:")
    finally:
        os.kill(running.pid, signal.SIGKILL)
        running.communicate()
    run_id = json.loads(gonogo("runs", "--format", "json", cwd=root).stdout)[0]["run_id"]
    assert "STALE: its process" in gonogo("lock", "status", cwd=root).stdout

    resumed = gonogo("resume", run_id, cwd=root, env=docker_env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Continuing with the services not yet deployed and healthy: web" in resumed.stdout
    assert version_at(api_port) == "v4" and version_at(web_port) == "v4"
    assert gonogo("lock", cwd=root).stdout == "no deploy lock is held\n"
