"""Real-Docker fixtures: the example's images (built FROM scratch with busybox), free
loopback ports, and unique names per test."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import services

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "docker"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def docker_bin() -> str:
    return services.docker()


@pytest.fixture(scope="session")
def web_image(docker_bin: str) -> Iterator[str]:
    """``IMAGE`` with tags v1 (healthy), v2 (no /health), v3 (crashes at start), v4 (healthy)."""
    image = f"gonogo-test-{os.getpid()}/web"
    subprocess.run([str(EXAMPLE / "build-images.sh"), image, "v1", "v2", "v3", "v4"],
                   check=True, capture_output=True, env={**os.environ, "DOCKER": docker_bin})
    yield image
    subprocess.run([docker_bin, "image", "rm", "-f", *(f"{image}:{v}" for v in
                                                      ("v1", "v2", "v3", "v4"))],
                   capture_output=True)


@pytest.fixture
def name() -> str:
    """A unique, docker-safe name for this test's project or service."""
    return "gnt" + secrets.token_hex(3)


@pytest.fixture
def docker_env(docker_bin: str) -> dict[str, str]:
    return {"GONOGO_DOCKER": docker_bin, "DOCKER": docker_bin}
