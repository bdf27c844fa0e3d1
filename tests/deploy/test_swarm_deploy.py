"""`gonogo deploy` with Docker Swarm on a real engine: `docker service update` with an update
monitor; v2 (unhealthy) and v3 (crashes at start) are rolled back to the exact previous
spec and v1 serves again; v4 goes live."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port

CONFIG = """\
version: 1
name: swarm-test
environments:
  production: {{}}
services:
  - name: api
    driver: swarm
    service: {service}
    image: {image}
    update_monitor: 2s
    health: {{url: "http://127.0.0.1:{port}/health", within: 20s, interval: 200ms}}
"""


@pytest.fixture(scope="module")
def swarm(docker_bin: str) -> Iterator[str]:
    """A single-node swarm on loopback; left again only if this fixture created it."""
    state = subprocess.run([docker_bin, "info", "--format", "{{.Swarm.LocalNodeState}}"],
                           capture_output=True, text=True).stdout.strip()
    created = state != "active"
    if created:
        subprocess.run([docker_bin, "swarm", "init", "--advertise-addr", "127.0.0.1"],
                       check=True, capture_output=True)
    yield docker_bin
    if created:
        subprocess.run([docker_bin, "swarm", "leave", "--force"], capture_output=True)


@pytest.fixture
def service(swarm: str, web_image: str, name: str) -> Iterator[tuple[str, int]]:
    port = free_port()
    subprocess.run([swarm, "service", "create", "--detach=false", "--quiet", "--name", name,
                    "--network", "host", "--init", "--env", f"PORT={port}",
                    "--no-resolve-image", f"{web_image}:v1"], check=True, capture_output=True)
    yield name, port
    subprocess.run([swarm, "service", "rm", name], capture_output=True)


def version_at(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as response:
        return str(response.read().decode().strip())


def test_swarm_update_rolls_back_to_the_previous_spec(
        tmp_path: Path, service: tuple[str, int], web_image: str,
        docker_env: dict[str, str]) -> None:
    name, port = service
    write(tmp_path / "gonogo.yml", CONFIG.format(service=name, image=web_image, port=port))

    bad = gonogo("deploy", "--version", "v2", cwd=tmp_path, env=docker_env)
    assert bad.returncode == 5, bad.stdout + bad.stderr
    assert f"  1. api  swarm   {web_image}:v1 → {web_image}:v2" in bad.stdout
    assert ("api: docker service update: exit 1: service update paused: update paused due to "
            "failure or early termination of task") in bad.stdout
    assert (f"✓ Roll back api to {web_image}:v1 [rollback]") in bad.stdout
    assert f"{name} back on {web_image}:v1 (docker service rollback)" in bad.stdout
    assert version_at(port) == "v1"

    crash = gonogo("deploy", "--version", "v3", cwd=tmp_path, env=docker_env)
    assert crash.returncode == 5, crash.stdout + crash.stderr
    assert f"✓ api healthy again on {web_image}:v1" in crash.stdout
    assert version_at(port) == "v1"

    good = gonogo("deploy", "--version", "v4", cwd=tmp_path, env=docker_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert version_at(port) == "v4"
    live = json.loads(gonogo("releases", "--format", "json", cwd=tmp_path).stdout)["live"]
    assert [(s["service"], s["version"]) for s in live] == [("api", "v4")]


def test_swarm_service_that_does_not_exist_is_no_go(
        tmp_path: Path, swarm: str, web_image: str, docker_env: dict[str, str]) -> None:
    write(tmp_path / "gonogo.yml", CONFIG.format(service="gonogo-no-such", image=web_image,
                                                 port=free_port()))
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path, env=docker_env)
    assert result.returncode == 1
    assert "✗ Services can be deployed [plan]" in result.stdout
    assert ("— api: swarm service 'gonogo-no-such' does not exist; give it a `swarm:` spec "
            "or a `stack_file:` to create it from, or create it once "
            "(`docker service create --name gonogo-no-such …`)\n") in result.stdout
    assert result.stdout.rstrip().endswith("The gate is not GO: nothing was changed.")
