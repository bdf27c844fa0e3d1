"""`gonogo releases` follows what the engine runs, on a real Docker engine with Compose:
a failed `rollback --to v3` (v3 crash-loops) leaves v3 recorded `unhealthy`, not v1 live;
`releases --check` reads the engine back, catches a change made with `docker` behind
gonogo's back (exit 1, one line per service) and agrees after a normal deploy (exit 0)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from tests.deploy.conftest import free_port
from tests.deploy.test_compose_deploy import COMPOSE, CONFIG


@pytest.fixture
def project(tmp_path: Path, web_image: str, name: str, docker_env: dict[str, str]
            ) -> Iterator[Path]:
    values = {"image": web_image, "api_port": free_port(), "web_port": free_port(),
              "project": name}
    write(tmp_path / "docker-compose.yml", COMPOSE.format(**values))
    write(tmp_path / "gonogo.yml", CONFIG.format(**values))
    yield tmp_path
    subprocess.run(["docker-compose", "-p", name, "-f", str(tmp_path / "docker-compose.yml"),
                    "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})


def _live(root: Path) -> dict[str, tuple[str | None, str | None, str]]:
    live = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)["live"]
    return {s["service"]: (s["version"], s["image"], s["state"]) for s in live}


def test_check_catches_a_change_behind_gonogos_back_and_agrees_after_a_deploy(
        project: Path, docker_env: dict[str, str], web_image: str, name: str) -> None:
    root = project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0
    agreed = gonogo("releases", "--check", cwd=root, env=docker_env)
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert agreed.stdout == (f"production: the journal agrees with the engine for every service "
                             f"(api {web_image}:v1 running, web {web_image}:v1 running)\n")

    # someone runs v4 on api by hand, with docker-compose, not gonogo
    override = write(root / "by-hand.yml", f'version: "2.4"\nservices:\n  api:\n'
                                           f'    image: {web_image}:v4\n')
    subprocess.run(["docker-compose", "-p", name, "-f", str(root / "docker-compose.yml"),
                    "-f", str(override), "up", "-d", "--no-deps", "api"], check=True,
                   capture_output=True, env={**os.environ, **docker_env})
    differs = gonogo("releases", "--check", cwd=root, env=docker_env)
    assert differs.returncode == 1, differs.stdout + differs.stderr
    lines = differs.stdout.splitlines()
    assert lines[0].startswith(f"api: journal says {web_image}:v1 (live), engine runs "
                               f"{web_image}:v4 (")
    assert lines[1:] == ["production: the journal differs from the engine for 1 service "
                         "(see above)"]
    as_json = gonogo("releases", "--check", "--format", "json", cwd=root, env=docker_env)
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["agree"] is False
    assert [(d["service"], d["journal"]) for d in report["differences"]] == [
        ("api", f"{web_image}:v1 (live)")]
    assert {s["service"]: s["engine"]["image"] for s in report["services"]} == {
        "api": f"{web_image}:v4", "web": f"{web_image}:v1"}

    assert gonogo("deploy", "--version", "v4", cwd=root, env=docker_env).returncode == 0
    again = gonogo("releases", "--check", "--format", "json", cwd=root, env=docker_env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert json.loads(again.stdout)["agree"] is True


def test_failed_rollback_leaves_releases_showing_what_runs(
        project: Path, docker_env: dict[str, str], web_image: str) -> None:
    root = project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0
    failed = gonogo("rollback", "--to", "v3", "--yes", cwd=root, env=docker_env)
    assert failed.returncode == 6, failed.stdout + failed.stderr
    assert _live(root) == {"api": ("v3", f"{web_image}:v3", "unhealthy"),
                           "web": ("v1", f"{web_image}:v1", "live")}
    table = gonogo("releases", cwd=root).stdout
    assert f"  api      v3       {web_image}:v3  UNHEALTHY  " in table

    # the journal now says what runs — and that is no pass: api is not healthy
    checked = gonogo("releases", "--check", cwd=root, env=docker_env)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    first, last = checked.stdout.splitlines()
    assert first.startswith(f"api: journal and engine agree it runs {web_image}:v3, but it is "
                            "unhealthy, not healthy — "), first
    assert last == "production: 1 service is not live and healthy (see above)"
    report = json.loads(gonogo("releases", "--check", "--format", "json", cwd=root,
                               env=docker_env).stdout)
    assert (report["agree"], report["healthy"]) == (True, False)
    assert [(s["service"], s["state"]) for s in report["not_healthy"]] == [("api", "unhealthy")]

