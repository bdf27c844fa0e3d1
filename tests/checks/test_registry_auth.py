"""A registry with authentication (htpasswd), logged in to from the config's ``registry:``
(Kamal's form: the password named by its variable): ``registry.tag`` and ``docker.push`` use
the login, and the credentials never appear in what the user sees or in the journal."""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import services
from testing.cli import gonogo, write

CONFIG = """\
version: 1
name: registry-auth
registry:
  server: {server}
  username: [REG_USER]
  password: [REG_PASSWORD]
environments:
  production: {{}}
phases:
  - id: images
    kind: preflight
    checks:
      - {{id: pushed, type: docker.push, image: {image}, tags: [v1]}}
  - id: tags
    kind: preflight
    checks:
      - {{id: tagged, type: registry.tag, image: {image}, tag: v1}}
  - id: go
    kind: deploy
    checks:
      - {{id: noop, run: "true"}}
"""


@pytest.fixture
def image(tmp_path: Path) -> Iterator[str]:
    """A tiny image tagged for the registry with authentication (built, not pushed)."""
    docker = services.docker()
    server, _, _ = services.registry_auth()
    ref = f"{server}/gnt{secrets.token_hex(3)}/api"
    build = subprocess.run([docker, "build", "-q", "-t", f"{ref}:v1", "-"],
                           input=b"FROM scratch\nLABEL gonogo=test\n", capture_output=True)
    assert build.returncode == 0, build.stderr
    yield ref
    subprocess.run([docker, "image", "rm", f"{ref}:v1"], capture_output=True)


def _all_text(tmp_path: Path, result: subprocess.CompletedProcess[str]) -> str:
    """Everything a user or an auditor can read: output, journal, reports, run files."""
    parts = [result.stdout, result.stderr]
    for path in (tmp_path / ".gonogo").rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_push_and_tag_check_log_in_from_the_environment(tmp_path: Path, image: str) -> None:
    server, user, password = services.registry_auth()
    write(tmp_path / "gonogo.yml", CONFIG.format(server=server, image=image))
    env = {"GONOGO_DOCKER": services.docker(), "REG_USER": user, "REG_PASSWORD": password}
    result = gonogo("deploy", "--env", "production", "--version", "v1", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"✓ docker.push: {image} [images]" in result.stdout
    assert "GO: 3 passed" in result.stdout
    check = gonogo("check", "--env", "production", "--only", "tagged", cwd=tmp_path, env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"— {image}:v1 exists (sha256:" in check.stdout
    assert password not in _all_text(tmp_path, result) + check.stdout


def test_a_wrong_password_is_refused_and_never_shown(tmp_path: Path, image: str) -> None:
    server, user, _ = services.registry_auth()
    wrong = "wrong-" + secrets.token_urlsafe(18)
    write(tmp_path / "gonogo.yml", CONFIG.format(server=server, image=image))
    env = {"GONOGO_DOCKER": services.docker(), "REG_USER": user, "REG_PASSWORD": wrong}
    result = gonogo("check", "--env", "production", "--only", "tagged", cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    repo = image.split("/", 1)[1]
    assert (f"registry {server} refused access to {repo} (HTTP 401); check the `registry:` "
            "login's username and password") in result.stdout
    assert wrong not in _all_text(tmp_path, result)


def test_an_unset_password_variable_is_named(tmp_path: Path, image: str) -> None:
    server, user, _ = services.registry_auth()
    write(tmp_path / "gonogo.yml", CONFIG.format(server=server, image=image))
    env = {"GONOGO_DOCKER": services.docker(), "REG_USER": user}
    result = gonogo("check", "--env", "production", "--only", "tagged", cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (f"(HTTP 401); registry {server}: REG_PASSWORD not set (the variables of the "
            "`registry:` login)") in result.stdout
