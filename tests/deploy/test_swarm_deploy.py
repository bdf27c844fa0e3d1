"""`gonogo deploy` with Docker Swarm on a real engine: `docker service update` with an update
monitor; v2 (unhealthy) and v3 (crashes at start) are rolled back to the exact previous
spec and v1 serves again; v4 goes live. A paused update says why its task failed: the
task's error and its HEALTHCHECK's last output, redacted."""

from __future__ import annotations

import json
import os
import re
import shutil
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


PROBE_DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
COPY release start /
HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ["/bin/busybox", "sh", "-c", \\
  "grep -q good /release || { echo \\"4 sign-ins answered: 500 500 200 200 (as smoke:$SMOKE_PASSWORD)\\"; echo second line; exit 1; }"]
ENTRYPOINT ["/bin/busybox", "sh", "/start"]
"""
#: v1, v2: killed when swarm stops them (exit 137); v3 exits 0 on SIGTERM, as a web server does
KILLED = "exec /bin/busybox sleep 3600\n"
GRACEFUL = "trap 'exit 0' TERM; while :; do /bin/busybox sleep 0.2; done\n"


@pytest.fixture
def probe_image(docker_bin: str, tmp_path: Path) -> Iterator[str]:
    """``IMAGE`` v1 (its HEALTHCHECK passes), v2 and v3 (their HEALTHCHECK fails, printing
    what it sent: the smoke user's password; v3 stops gracefully)."""
    image = f"gonogo-test-{os.getpid()}/probe"
    context = tmp_path / "image"
    context.mkdir()
    (context / "Dockerfile").write_text(PROBE_DOCKERFILE)
    shutil.copy(shutil.which("busybox") or "/bin/busybox", context / "busybox")
    for version, release, start in (("v1", "good", KILLED), ("v2", "bad", KILLED),
                                    ("v3", "bad", GRACEFUL)):
        (context / "release").write_text(release + "\n")
        (context / "start").write_text(start)
        subprocess.run([docker_bin, "build", "-q", "-t", f"{image}:{version}", str(context)],
                       check=True, capture_output=True)
    yield image
    subprocess.run([docker_bin, "image", "rm", "-f", f"{image}:v1", f"{image}:v2",
                    f"{image}:v3"], capture_output=True)


def test_a_paused_update_says_why_the_task_failed(
        tmp_path: Path, swarm: str, probe_image: str, name: str,
        docker_env: dict[str, str]) -> None:
    password = "Smoke-pw-" + os.urandom(6).hex()
    subprocess.run([swarm, "service", "create", "--detach=false", "--quiet", "--name", name,
                    "--network", "host", "--env", f"SMOKE_PASSWORD={password}",
                    "--no-resolve-image", f"{probe_image}:v1"], check=True, capture_output=True)
    try:
        write(tmp_path / "gonogo.yml", CONFIG.format(service=name, image=probe_image, port=0)
              .replace('url: "http://127.0.0.1:0/health", ', ""))  # its HEALTHCHECK decides
        results, tasks = [], ""
        for version in ("v2", "v3"):
            results.append(gonogo("deploy", "--version", version, cwd=tmp_path,
                                  env={**docker_env, "SMOKE_PASSWORD": password}))
            tasks += subprocess.run([swarm, "service", "ps", name, "--no-trunc", "--format",
                                     "{{.ID}} {{.Image}} {{.CurrentState}}"],
                                    capture_output=True, text=True).stdout
    finally:
        subprocess.run([swarm, "service", "rm", name], capture_output=True)
    probe = "last healthcheck: 4 sign-ins answered: 500 500 200 200 (as smoke:[REDACTED:SMOKE_PASSWORD])"
    for result, version, why in ((results[0], "v2", "failed (non-zero exit (137): dockerexec: "
                                                    "unhealthy container)"),
                                 (results[1], "v3", "complete (container unhealthy)")):
        assert result.returncode == 5, result.stdout + result.stderr
        named = re.search(r"termination of task (\w+);", result.stdout)
        task = named.group(1) if named else "(none)"
        assert f"{task} {probe_image}:{version} " in tasks, tasks  # the task that failed
        assert ("api: docker service update: exit 1: service update paused: update paused due "
                f"to failure or early termination of task {task}; task {task[:12]} {why}, "
                f"{probe}\n") in result.stdout, result.stdout
        assert f"{name} back on {probe_image}:v1 (docker service rollback)" in result.stdout
    written = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    outputs = "".join(r.stdout + r.stderr for r in results)
    assert password not in outputs + "".join(written)
    assert "[REDACTED:SMOKE_PASSWORD]" in "".join(written)  # the journal says it too
