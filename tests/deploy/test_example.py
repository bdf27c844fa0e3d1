"""The README's example (`examples/docker/`) as a new user runs it — with this test's own
ports, image and project names so it never collides with anything."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo
from tests.deploy.conftest import EXAMPLE, free_port


@pytest.fixture
def example(tmp_path: Path, name: str, docker_env: dict[str, str]
            ) -> Iterator[tuple[Path, int]]:
    root = tmp_path / "docker"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".gonogo"))
    api_port, web_port = free_port(), free_port()
    image = f"{name}/web"
    for file in ("gonogo.yml", "docker-compose.yml"):
        text = (root / file).read_text()
        text = text.replace("18091", str(api_port)).replace("18090", str(web_port))
        text = text.replace("gonogo-example/web", image).replace("gonogo-example", name)
        (root / file).write_text(text)
    env = {**os.environ, **docker_env}
    subprocess.run([str(root / "build-images.sh"), image, "v1", "v2"], check=True,
                   capture_output=True, env=env)
    yield root, api_port
    subprocess.run(["docker-compose", "-p", name, "down", "-t", "1"], cwd=root,
                   capture_output=True, env=env)
    subprocess.run([docker_env["GONOGO_DOCKER"], "image", "rm", "-f", f"{image}:v1",
                    f"{image}:v2"], capture_output=True)


def test_the_readme_example(example: tuple[Path, int], docker_env: dict[str, str]) -> None:
    root, api_port = example
    first = gonogo("deploy", "--version", "v1", cwd=root, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    second = gonogo("deploy", "--version", "v2", cwd=root, env=docker_env)
    assert second.returncode == 5, second.stdout + second.stderr
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/version", timeout=5) as response:
        assert response.read().decode().strip() == "v1"
    releases = gonogo("releases", cwd=root).stdout
    assert "  api      v1" in releases
    assert "v2       rolled_back  no" in releases
