"""``docker.build`` and ``docker.push`` on a real Docker engine and a real registry."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing import services
from testing.checks import run_check
from testing.cli import write

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "docker"


@pytest.fixture
def context(tmp_path: Path) -> Path:
    """The example's build context, with the www of a healthy release."""
    shutil.copy(EXAMPLE / "Dockerfile", tmp_path)
    shutil.copy(EXAMPLE / "start.sh", tmp_path)
    shutil.copy(shutil.which("busybox") or "/bin/busybox", tmp_path / "busybox")
    write(tmp_path / "www" / "health", "ok\n")
    write(tmp_path / "www" / "version", "v1\n")
    return tmp_path


@pytest.fixture
def image() -> Iterator[str]:
    docker = services.docker()
    name = f"gnt{secrets.token_hex(3)}/api"
    yield name
    listed = subprocess.run([docker, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}",
                             f"*/{name.split('/')[1]}"], capture_output=True, text=True).stdout
    refs = [r for r in listed.split() if name in r]
    if refs:
        subprocess.run([docker, "image", "rm", "-f", *refs], capture_output=True)


def _env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "GONOGO_DOCKER": services.docker(), **extra}


def test_build_tags_the_version_and_the_git_sha(context: Path, image: str) -> None:
    for argv in (["git", "init", "-q"], ["git", "add", "."],
                 ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm",
                  "x"]):
        subprocess.run(argv, cwd=context, check=True, capture_output=True)
    sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=context,
                         capture_output=True, text=True).stdout.strip()
    result, _ = run_check("docker.build", {"image": image}, context,
                          env=_env(GONOGO_VERSION="v7"), timeout=120)
    assert result.outcome == Outcome.PASSED, result.summary
    assert result.summary.startswith(f"built {image}:v7, {image}:{sha} (sha256:")
    assert result.evidence["tags"] == [f"{image}:v7", f"{image}:{sha}"]
    inspect = subprocess.run([services.docker(), "image", "inspect", f"{image}:{sha}"],
                             capture_output=True)
    assert inspect.returncode == 0


def test_build_failure_shows_the_docker_error(context: Path, image: str) -> None:
    write(context / "Dockerfile", "FROM scratch\nCOPY missing-file /x\n")
    result, output = run_check("docker.build", {"image": image, "tags": ["v1"]}, context,
                               env=_env(), timeout=120)
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith("docker build: exit 1: ")
    assert "missing-file" in (output or "")


def test_push_then_the_tag_is_in_the_registry_with_the_same_digest(
        context: Path, image: str) -> None:
    registry = services.registry()
    remote = f"{registry}/{image}"
    built, _ = run_check("docker.build", {"image": remote, "tags": ["v1"]}, context, env=_env(),
                         timeout=120)
    assert built.outcome == Outcome.PASSED, built.summary
    pushed, _ = run_check("docker.push", {"image": remote, "tags": ["v1"]}, context, env=_env(),
                          timeout=120)
    assert pushed.outcome == Outcome.PASSED, pushed.summary
    digest = pushed.evidence["digests"][f"{remote}:v1"]
    assert digest.startswith("sha256:")
    assert pushed.summary == f"pushed {remote}:v1@{digest[:19]}"

    tagged, _ = run_check("registry.tag", {"image": remote, "tag": "v1"}, context, env=_env())
    assert tagged.outcome == Outcome.PASSED, tagged.summary
    assert tagged.evidence["digest"] == digest
    assert tagged.summary == f"{registry}/{image}:v1 exists ({digest[:19]})"
