"""A remote engine over SSH (a VPS, as teams deploy from CI): `docker_host: ssh://…` sends
every docker call of the deploy — plan probes, create, update, health, rollback — through a
real OpenSSH server on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import services
from testing.cli import gonogo, write
from tests.deploy.conftest import free_port
from tests.deploy.test_swarm_deploy import swarm, version_at

__all__ = ["swarm"]

CONFIG = """\
version: 1
name: ssh-engine
environments:
  production:
    docker_host: {docker_host}
services:
  - name: api
    driver: swarm
    service: {service}
    image: {image}
    update_monitor: 2s
    health: {{url: "http://127.0.0.1:{port}/health", within: 30s, interval: 200ms}}
    swarm:
      networks: [host]
      env: {{PORT: "{port}"}}
      init: true
      stop_grace_period: 2s
"""


@pytest.fixture
def service_name(swarm: str, name: str) -> Iterator[str]:
    yield name
    subprocess.run([swarm, "service", "rm", name], capture_output=True)



def test_deploy_and_rollback_through_an_ssh_engine(
        tmp_path: Path, service_name: str, web_image: str, docker_env: dict[str, str]) -> None:
    docker_host = services.ssh_docker_host()
    port = free_port()
    write(tmp_path / "gonogo.yml", CONFIG.format(docker_host=docker_host, service=service_name,
                                                 image=web_image, port=port))
    first = gonogo("deploy", "--env", "production", "--version", "v1", cwd=tmp_path,
                   env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert version_at(port) == "v1"
    bad = gonogo("deploy", "--env", "production", "--version", "v2", cwd=tmp_path,
                 env=docker_env)
    assert bad.returncode == 5, bad.stdout + bad.stderr
    assert f"{service_name} back on {web_image}:v1 (docker service rollback)" in bad.stdout
    assert version_at(port) == "v1"


def test_an_unreachable_ssh_engine_is_no_go_and_changes_nothing(
        tmp_path: Path, service_name: str, web_image: str, docker_env: dict[str, str]) -> None:
    services.ssh_docker_host()
    write(tmp_path / "gonogo.yml", CONFIG.format(docker_host=f"ssh://root@127.0.0.1:{free_port()}",
                                                 service=service_name, image=web_image,
                                                 port=free_port()))
    result = gonogo("deploy", "--env", "production", "--version", "v1", cwd=tmp_path,
                    env=docker_env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "✗ Services can be deployed [plan]" in result.stdout
    assert "The gate is not GO: nothing was changed." in result.stdout
    absent = subprocess.run([services.docker(), "service", "inspect", service_name],
                            capture_output=True)
    assert absent.returncode == 1
