"""`gonogo deploy` creates a missing swarm service from its spec — the sidecar's `swarm:` or
a service of a `docker stack` file — with the update and rollback policy given, then updates
it; a failed first deploy removes what it created; `:previous` names what ran before."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port
from tests.deploy.test_swarm_deploy import swarm, version_at

__all__ = ["swarm"]

SIDECAR = """\
version: 1
name: swarm-create
environments:
  production: {{}}
services:
  - name: api
    driver: swarm
    service: {service}
    image: {image}
    update_monitor: 2s
    previous_tag: previous
    health: {{url: "http://127.0.0.1:{port}/health", within: 30s, interval: 200ms}}
    swarm:
      networks: [host]
      env: {{PORT: "{port}"}}
      init: true
      stop_grace_period: 2s
      healthcheck: {{interval: 1s, timeout: 2s, retries: 2}}
      # host networking: the old task must let go of the port first
      update_config: {{monitor: 3s}}
      rollback_config: {{monitor: 1s}}
"""

STACK = """\
version: "3.8"
services:
  web:
    image: ignored/by-gonogo
    network_mode: host
    environment:
      - PORT={port}
    init: true
    stop_grace_period: 3s
    deploy:
      replicas: 1
      update_config: {{order: stop-first, monitor: 2s, failure_action: pause, parallelism: 1}}
      rollback_config: {{monitor: 1s}}
"""

STACK_SIDECAR = """\
version: 1
name: stack-create
environments:
  production: {{}}
services:
  - name: web
    driver: swarm
    service: {service}
    image: {image}
    stack_file: docker-stack.yml
    health: {{url: "http://127.0.0.1:{port}/health", within: 30s, interval: 200ms}}
"""


@pytest.fixture
def service_name(swarm: str, name: str) -> Iterator[str]:
    yield name
    subprocess.run([swarm, "service", "rm", name], capture_output=True)


def inspect(docker: str, service: str) -> dict[str, object]:
    out = subprocess.run([docker, "service", "inspect", service], capture_output=True,
                         text=True, check=True).stdout
    return dict(json.loads(out)[0]["Spec"])


def image_id(docker: str, ref: str) -> str:
    return subprocess.run([docker, "image", "inspect", "--format", "{{.Id}}", ref],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_first_deploy_creates_the_service_then_updates_it(
        tmp_path: Path, swarm: str, service_name: str, web_image: str,
        docker_env: dict[str, str]) -> None:
    port = free_port()
    write(tmp_path / "gonogo.yml", SIDECAR.format(service=service_name, image=web_image,
                                                  port=port))
    first = gonogo("deploy", "--version", "v1", cwd=tmp_path, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"✓ Deploy api: (not running) → {web_image}:v1 [services]" in first.stdout
    assert version_at(port) == "v1"
    spec = inspect(swarm, service_name)
    assert spec["UpdateConfig"] == {"Parallelism": 1, "FailureAction": "pause",
                                    "Monitor": 3_000_000_000, "MaxFailureRatio": 0,
                                    "Order": "stop-first"}
    assert spec["RollbackConfig"]["Order"] == "stop-first"  # type: ignore[index]
    assert spec["RollbackConfig"]["Monitor"] == 1_000_000_000  # type: ignore[index]
    container = spec["TaskTemplate"]["ContainerSpec"]  # type: ignore[index]
    assert container["StopGracePeriod"] == 2_000_000_000
    assert container["Env"] == [f"PORT={port}"]

    second = gonogo("deploy", "--version", "v4", cwd=tmp_path, env=docker_env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert version_at(port) == "v4"
    assert image_id(swarm, f"{web_image}:previous") == image_id(swarm, f"{web_image}:v1")

    bad = gonogo("deploy", "--version", "v2", cwd=tmp_path, env=docker_env)
    assert bad.returncode == 5, bad.stdout + bad.stderr
    assert version_at(port) == "v4"
    assert image_id(swarm, f"{web_image}:previous") == image_id(swarm, f"{web_image}:v4")


def test_a_failed_first_deploy_removes_the_service_it_created(
        tmp_path: Path, swarm: str, service_name: str, web_image: str,
        docker_env: dict[str, str]) -> None:
    port = free_port()
    write(tmp_path / "gonogo.yml", SIDECAR.format(service=service_name, image=web_image,
                                                  port=port))
    crash = gonogo("deploy", "--version", "v3", cwd=tmp_path, env=docker_env)
    assert crash.returncode == 5, crash.stdout + crash.stderr
    assert f"{service_name} removed (this deploy created it)" in crash.stdout
    gone = subprocess.run([swarm, "service", "inspect", service_name], capture_output=True)
    assert gone.returncode == 1


def test_a_stack_file_service_is_created_with_its_deploy_section(
        tmp_path: Path, swarm: str, service_name: str, web_image: str,
        docker_env: dict[str, str]) -> None:
    port = free_port()
    write(tmp_path / "docker-stack.yml", STACK.format(port=port))
    write(tmp_path / "gonogo.yml", STACK_SIDECAR.format(service=service_name, image=web_image,
                                                        port=port))
    first = gonogo("deploy", "--version", "v1", cwd=tmp_path, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert version_at(port) == "v1"
    spec = inspect(swarm, service_name)
    assert spec["UpdateConfig"]["Order"] == "stop-first"  # type: ignore[index]
    assert spec["UpdateConfig"]["Monitor"] == 2_000_000_000  # type: ignore[index]
    assert spec["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"] == 3_000_000_000  # type: ignore[index]
    crash = gonogo("deploy", "--version", "v3", cwd=tmp_path, env=docker_env)
    assert crash.returncode == 5, crash.stdout + crash.stderr
    assert version_at(port) == "v1"


def test_a_stack_file_key_gonogo_cannot_translate_is_no_go(
        tmp_path: Path, swarm: str, service_name: str, web_image: str,
        docker_env: dict[str, str]) -> None:
    write(tmp_path / "docker-stack.yml",
          "services:\n  web:\n    image: x\n    cap_add: [NET_ADMIN]\n")
    write(tmp_path / "gonogo.yml", STACK_SIDECAR.format(service=service_name, image=web_image,
                                                        port=free_port()))
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path, env=docker_env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"{tmp_path}/docker-stack.yml: services.web: gonogo cannot create a service with "
            "cap_add (supported: ") in result.stdout
