"""`rollback --to V` and the deploy plan on a real Docker engine and registry: a version
whose images do not exist is NO-GO before anything changes, naming every missing image
(engine and registry both asked); a version that never passed verification needs a "y" at a
terminal or --yes, and the accepted warning is printed and journaled."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import services
from testing.cli import gonogo, write
from testing.tty import gonogo_tty
from tests.deploy.conftest import free_port

COMPOSE = """\
version: "2.4"
services:
  api:
    image: {api}:v1
    network_mode: host
    environment: {{PORT: "{api_port}"}}
    init: true
  web:
    image: {web}:v1
    network_mode: host
    environment: {{PORT: "{web_port}"}}
    init: true
"""

CONFIG = """\
version: 1
name: careful-rollback
environments:
  production: {{}}
services:
  - name: api
    driver: compose
    project: {project}
    image: {api}
    health: {{url: "http://127.0.0.1:{api_port}/health", within: 20s, interval: 200ms}}
  - name: web
    driver: compose
    project: {project}
    image: {web}
    health: {{url: "http://127.0.0.1:{web_port}/health", within: 20s, interval: 200ms}}
    needs: [api]
"""


@pytest.fixture
def project(tmp_path: Path, web_image: str, name: str, docker_bin: str,
            docker_env: dict[str, str]) -> Iterator[tuple[Path, str]]:
    """api from the registry (v1, v2 and v4 pushed; v4 then removed from the engine), web
    from the engine only (v1 to v4 built, never pushed)."""
    api = f"{services.registry()}/{name}/api"
    for version in ("v1", "v2", "v4"):
        subprocess.run([docker_bin, "tag", f"{web_image}:{version}", f"{api}:{version}"],
                       check=True, capture_output=True)
        subprocess.run([docker_bin, "push", f"{api}:{version}"], check=True, capture_output=True)
    subprocess.run([docker_bin, "image", "rm", f"{api}:v4"], check=True, capture_output=True)
    values = {"api": api, "web": web_image, "api_port": free_port(), "web_port": free_port(),
              "project": name}
    write(tmp_path / "docker-compose.yml", COMPOSE.format(**values))
    write(tmp_path / "gonogo.yml", CONFIG.format(**values))
    yield tmp_path, api
    subprocess.run(["docker-compose", "-p", name, "-f", str(tmp_path / "docker-compose.yml"),
                    "down", "-t", "1"], capture_output=True, env={**os.environ, **docker_env})
    subprocess.run([docker_bin, "image", "rm", "-f", *(f"{api}:{v}" for v in ("v1", "v2", "v4"))],
                   capture_output=True)


def engine_state(docker_bin: str, name: str, *images: str) -> tuple[str, str]:
    """The project's containers (id, image, start time) and the images of its repositories."""
    containers = subprocess.run(
        [docker_bin, "ps", "-a", "--no-trunc", "--filter",
         f"label=com.docker.compose.project={name}", "--format",
         "{{.ID}} {{.Image}} {{.CreatedAt}} {{.State}}"],
        check=True, capture_output=True, text=True).stdout
    listed = []
    for image in images:
        listed.append("".join(sorted(subprocess.run(  # the engine's order of equal-age tags varies
            [docker_bin, "images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}",
             image], check=True, capture_output=True, text=True).stdout.splitlines(True))))
    return "".join(sorted(containers.splitlines(True))), "".join(listed)


def releases_of(root: Path) -> object:
    return json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)


def test_rollback_to_a_version_never_built_changes_nothing(
        project: tuple[Path, str], web_image: str, name: str, docker_bin: str,
        docker_env: dict[str, str]) -> None:
    root, api = project
    first = gonogo("deploy", "--version", "v1", cwd=root, env=docker_env)
    assert first.returncode == 0, first.stdout + first.stderr
    before = engine_state(docker_bin, name, api, web_image), releases_of(root)

    refused = gonogo("rollback", "--to", "v9", "--yes", cwd=root, env=docker_env)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    lines = refused.stdout.splitlines()
    assert lines[0] == ("Rolling back production to v9 (requested; gonogo has no record of "
                        "deploying it here).")
    assert lines[1].startswith(
        f"NO-GO: cannot roll back production to v9: 2 images not found: {api}:v9 (not in the "
        f"Docker engine; tag v9 not found in {api} (tags: ")
    # the registry lists what it has; the never-pushed web image is looked up on Docker Hub
    assert f"), {web_image}:v9 (not in the Docker engine; registry registry-1.docker.io" in lines[1]
    assert lines[1].endswith(". Nothing was changed.")
    assert len(lines) == 2 and refused.stderr == ""
    assert (engine_state(docker_bin, name, api, web_image), releases_of(root)) == before
    runs = json.loads(gonogo("runs", "--format", "json", cwd=root).stdout)
    assert [r["command"] for r in runs] == ["deploy"]  # no rollback was started


def test_deploy_plan_of_a_missing_version_is_no_go(
        project: tuple[Path, str], web_image: str, name: str, docker_bin: str,
        docker_env: dict[str, str]) -> None:
    root, api = project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0
    before = engine_state(docker_bin, name, api, web_image), releases_of(root)
    missing = (f"2 images not found: {api}:v4x (not in the Docker engine; tag v4x not found "
               f"in {api} (tags: ")
    missing_web = f"), {web_image}:v4x (not in the Docker engine; registry registry-1.docker.io"

    dry = gonogo("deploy", "--dry-run", "--version", "v4x", cwd=root, env=docker_env)
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "✗ Services can be deployed [plan]" in dry.stdout
    assert missing in dry.stdout and missing_web in dry.stdout
    assert "ready to deploy" not in dry.stdout
    assert "Dry run: the gate is not GO; a deploy would stop here." in dry.stdout

    real = gonogo("deploy", "--version", "v4x", cwd=root, env=docker_env)
    assert real.returncode == 1, real.stdout + real.stderr
    assert missing in real.stdout and missing_web in real.stdout
    assert "The gate is not GO: nothing was changed." in real.stdout
    assert (engine_state(docker_bin, name, api, web_image), releases_of(root)) == before

    # a tag only the registry has counts: api:v4 was pushed, then removed from the engine
    # (Compose pulls it at deploy); web:v4 is in the engine only
    ok = gonogo("deploy", "--dry-run", "--version", "v4", cwd=root, env=docker_env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"  1. api  compose {api}:v1 → {api}:v4" in ok.stdout


def test_rollback_to_an_unverified_version_needs_yes(
        project: tuple[Path, str], web_image: str, name: str, docker_bin: str,
        docker_env: dict[str, str]) -> None:
    root, api = project
    assert gonogo("deploy", "--version", "v1", cwd=root, env=docker_env).returncode == 0
    failed = gonogo("deploy", "--version", "v2", cwd=root, env=docker_env)
    assert failed.returncode == 5, failed.stdout + failed.stderr  # v2 has no /health
    before = engine_state(docker_bin, name, api, web_image), releases_of(root)

    # deployed once, never verified: refused without a terminal and without --yes
    refused = gonogo("rollback", "--to", "v2", cwd=root, env=docker_env)
    assert (refused.returncode, refused.stderr) == (
        2, "gonogo: error: v2 never passed verification in production: pass --yes to roll "
           "back to v2\n")
    # never deployed here at all (v4): the same, on a terminal a question with the warning
    declined = gonogo_tty("rollback", "--to", "v4", cwd=root, answer="n", env=docker_env)
    assert declined.returncode == 2, declined.output
    assert ("Warning: v4 never passed verification in production (gonogo has no record of "
            "deploying it here).\nRoll back production from v1 to v4? Its services are "
            "redeployed at v4. [y/N] ") in declined.output
    assert declined.output.endswith("gonogo: error: not confirmed; nothing changed\n")
    assert (engine_state(docker_bin, name, api, web_image), releases_of(root)) == before

    done = gonogo("rollback", "--to", "v4", "--yes", cwd=root, env=docker_env)
    assert done.returncode == 0, done.stdout + done.stderr
    warning = ("v4 never passed verification in production (gonogo has no record of deploying "
               "it here)")
    assert f"warning: {warning}; rolling back to it as confirmed." in done.stdout
    title = "Rollback target confirmed despite a warning"
    assert f"⚠ {title} [plan] 0.0s — {warning}" in done.stdout
    run = json.loads(gonogo("runs", "--format", "json", cwd=root).stdout)[0]
    assert run["command"] == "rollback"
    shown = gonogo("show", run["run_id"], cwd=root).stdout
    assert (f"  ⚠ rollback.warning.1: {title} — warned, 0.00s\n"
            f"      {warning}\n") in shown
    live = releases_of(root)
    assert {s["service"]: s["image"] for s in live["live"]} == {  # type: ignore[index]
        "api": f"{api}:v4", "web": f"{web_image}:v4"}
