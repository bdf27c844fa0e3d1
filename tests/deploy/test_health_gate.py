"""The deploy health gate waits for Docker's own verdict: a container with a HEALTHCHECK
counts as healthy only once Docker reports ``healthy`` — not while it is ``health:
starting``, even when its HTTP ``health:`` probe already answers — and one that turns
``unhealthy`` fails the gate (and is rolled back)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port

#: v5: HTTP answers at once, Docker's healthcheck passes only after ~4s (file made by then);
#: v6: HTTP answers, Docker's healthcheck never passes.
DOCKERFILES = {
    "v5": """\
FROM {base}
HEALTHCHECK --interval=1s --timeout=2s --retries=2 --start-period=30s \\
  CMD ["/bin/busybox", "test", "-f", "/ready"]
ENTRYPOINT ["/bin/busybox", "sh", "-c", \\
  "(/bin/busybox sleep 4; /bin/busybox touch /ready) & exec /bin/busybox sh /start.sh"]
""",
    "v6": """\
FROM {base}
HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ["/bin/busybox", "false"]
""",
}

COMPOSE = """\
version: "2.4"
services:
  app:
    image: {image}:v5
    network_mode: host
    environment: {{PORT: "{port}"}}
    init: true
"""

CONFIG = """\
version: 1
name: health-gate
environments:
  production: {{}}
services:
  - name: app
    driver: compose
    project: {project}
    image: {image}
    health: {{url: "http://127.0.0.1:{port}/health", within: 30s, interval: 200ms}}
"""


@pytest.fixture
def project(tmp_path: Path, web_image: str, name: str, docker_bin: str,
            docker_env: dict[str, str]) -> Iterator[tuple[Path, str]]:
    image = f"gonogo-test-{name}/hc"
    for version, dockerfile in DOCKERFILES.items():
        subprocess.run([docker_bin, "build", "-q", "-t", f"{image}:{version}", "-"],
                       input=dockerfile.format(base=f"{web_image}:v1"), text=True, check=True,
                       capture_output=True)
    values = {"image": image, "port": free_port(), "project": name}
    write(tmp_path / "docker-compose.yml", COMPOSE.format(**values))
    write(tmp_path / "gonogo.yml", CONFIG.format(**values))
    yield tmp_path, image
    subprocess.run(["docker-compose", "-p", name, "-f", str(tmp_path / "docker-compose.yml"),
                    "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})
    subprocess.run([docker_bin, "image", "rm", "-f", f"{image}:v5", f"{image}:v6"],
                   capture_output=True)


def health_of(docker_bin: str, name: str) -> str:
    """Docker's health status of the project's container(s), as `docker inspect` says."""
    ids = subprocess.run([docker_bin, "ps", "-q", "--filter",
                          f"label=com.docker.compose.project={name}"],
                         check=True, capture_output=True, text=True).stdout.split()
    status = "{{.Config.Image}} {{.State.Health.Status}}"
    return subprocess.run([docker_bin, "inspect", "-f", status, *ids], check=True,
                          capture_output=True, text=True).stdout.strip()


def test_health_gate_waits_for_docker_healthy(project: tuple[Path, str], name: str,
                                              docker_bin: str,
                                              docker_env: dict[str, str]) -> None:
    root, image = project
    started = time.monotonic()
    first = gonogo("deploy", "--version", "v5", cwd=root, env=docker_env)
    took = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    # the HTTP probe answered within a second; the gate still waited for Docker's `healthy`
    assert health_of(docker_bin, name) == f"{image}:v5 healthy"
    assert took > 4, first.stdout
    assert "✓ app healthy on v5 [services]" in first.stdout
    assert "container " in first.stdout and " healthy; http://127.0.0.1:" in first.stdout


def test_health_gate_fails_when_docker_says_unhealthy(project: tuple[Path, str], name: str,
                                                      docker_bin: str,
                                                      docker_env: dict[str, str]) -> None:
    root, image = project
    first = gonogo("deploy", "--version", "v5", cwd=root, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    # v6's HTTP probe answers 200 from the start; Docker's healthcheck never passes
    second = gonogo("deploy", "--version", "v6", cwd=root, env=docker_env)
    assert second.returncode == 5, second.stdout + second.stderr
    assert "✗ app healthy on v6 [services]" in second.stdout
    assert " unhealthy" in second.stdout
    assert f"✓ Roll back app to {image}:v5 [rollback]" in second.stdout
    assert f"✓ app healthy again on {image}:v5" in second.stdout
    assert health_of(docker_bin, name) == f"{image}:v5 healthy"
