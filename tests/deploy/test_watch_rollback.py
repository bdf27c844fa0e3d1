"""The issue's end-to-end case: a release that passes its health checks, then raises its
error rate, is caught by the watch window (real Prometheus) and rolled back; the status
document gains truthful rows and the notification receiver gets the summaries."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing import services
from testing.cli import gonogo
from testing.http_server import Route, serve
from tests.deploy.conftest import EXAMPLE, free_port

METRICS = """#!/bin/busybox sh
t=$(/bin/busybox date +%s)
echo "Content-Type: text/plain"
echo ""
echo "app_requests_total $((t * 100))"
echo "app_errors_total $(((t - {built}) * {errors}))"
"""


@pytest.fixture
def release(tmp_path: Path, name: str, docker_env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """IMAGE:v1 (0 errors a second) and IMAGE:v2 (healthy, but 40 errors per 100 requests),
    each exposing counters at /cgi-bin/metrics."""
    docker = docker_env["GONOGO_DOCKER"]
    image = f"{name}/api"
    for version, errors in (("v1", 0), ("v2", 40)):
        ctx = tmp_path / f"ctx-{version}"
        (ctx / "www" / "cgi-bin").mkdir(parents=True)
        shutil.copy(EXAMPLE / "Dockerfile", ctx)
        shutil.copy(EXAMPLE / "start.sh", ctx)
        shutil.copy("/bin/busybox", ctx / "busybox")
        (ctx / "www" / "health").write_text("ok\n")
        (ctx / "www" / "version").write_text(f"{version}\n")
        script = ctx / "www" / "cgi-bin" / "metrics"
        script.write_text(METRICS.replace("{errors}", str(errors)).replace("{built}", str(int(time.time()))))
        script.chmod(0o755)
        subprocess.run([docker, "build", "-q", "-t", f"{image}:{version}", str(ctx)], check=True,
                       capture_output=True)
    yield image, free_port()
    subprocess.run([docker, "image", "rm", "-f", f"{image}:v1", f"{image}:v2"], capture_output=True)


def test_a_release_that_degrades_after_its_health_checks_is_rolled_back(
    tmp_path: Path, name: str, release: tuple[str, int], docker_env: dict[str, str]
) -> None:
    prometheus, sd_dir = services.prometheus()
    image, port = release
    label = f"t{uuid.uuid4().hex[:10]}"
    received: list[dict[str, str]] = []

    def receiver(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        received.append(json.loads(body))
        return Route(200, "ok")

    root = tmp_path / "project"
    root.mkdir()
    (root / "docker-compose.yml").write_text(f"""version: "2.4"
services:
  api:
    image: {image}:v1
    network_mode: host
    environment: {{PORT: "{port}"}}
    init: true
""")
    ratio = (f'sum(rate(app_errors_total{{test="{label}"}}[3s])) / '
             f'sum(rate(app_requests_total{{test="{label}"}}[3s]))')
    target = Path(sd_dir) / f"{label}.json"
    target.write_text(json.dumps([{"targets": [f"127.0.0.1:{port}"],
                                   "labels": {"test": label, "__metrics_path__": "/cgi-bin/metrics"}}]))
    with serve({"/hook": receiver}) as hook:
        (root / "gonogo.yml").write_text(f"""version: 1
name: watch-example
environments:
  production: {{}}
notify: ["json://127.0.0.1:{hook.port}/hook"]
phases:
  - id: verify
    kind: verify
    checks:
      - id: scraped
        title: Prometheus scrapes the new release
        type: prometheus
        url: {prometheus}
        query: 'count_over_time(app_requests_total{{test="{label}"}}[3s])'
        min: 3
        retry: {{interval: 500ms, within: 30s}}
  - id: monitor
    kind: watch
    duration: 15s
    interval: 1s
    checks:
      - id: error-rate
        title: Error rate stays under 5%
        type: prometheus
        url: {prometheus}
        query: '{ratio}'
        max: 0.05
        failure_limit: 2
  - id: document
    kind: post
    checks:
      - {{id: status, type: record, path: docs/devops/deployment-status.md}}
      - {{id: tell, type: notify, urls: ["json://127.0.0.1:{hook.port}/hook"]}}
  - id: back
    kind: rollback
    checks:
      - {{id: status-rolled-back, type: record, path: docs/devops/deployment-status.md, note: rolled back}}
services:
  - name: api
    driver: compose
    compose_file: docker-compose.yml
    project: {name}
    service: api
    image: {image}
    health: {{url: "http://127.0.0.1:{port}/health", within: 30s}}
""")
        env = {**docker_env, "GONOGO_USER": "alice"}
        try:
            first = gonogo("deploy", "--env", "production", "--version", "v1", cwd=root, env=env)
            assert first.returncode == 0, first.stdout + first.stderr
            assert "Error rate stays under 5%" in first.stdout
            second = gonogo("deploy", "--env", "production", "--version", "v2", cwd=root, env=env)
            assert second.returncode == 5, second.stdout + second.stderr
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as r:
                assert r.read().decode().strip() == "v1"  # the previous release serves again
        finally:
            target.unlink(missing_ok=True)
            subprocess.run(["docker-compose", "-p", name, "down", "-t", "1"], cwd=root,
                           capture_output=True, env={**os.environ, **docker_env})
    out = second.stdout
    assert "✗ Error rate stays under 5% [monitor]" in out
    assert "Rolling back: a post-deploy watch failed" in out
    rows = (root / "docs/devops/deployment-status.md").read_text().splitlines()[4:]
    assert [r.split(" | ")[1:6] for r in rows] == [
        ["production", "v1", "api v1", "GO", "alice"],
        ["production", "v2", "api v2", "NO-GO (rolled back)", "alice"],
    ]
    titles = [m["title"] for m in received]
    assert "gonogo: v1 production — GO" in titles
    assert any("v2 rolled back" in t for t in titles), titles
    rollback = next(m for m in received if "v2 rolled back" in m["title"])
    assert "a post-deploy watch failed" in rollback["message"]
    assert re.search(r"✗ Error rate stays under 5%: [0-9.e+]+ > 0\.05 after \d+\.\ds, 2 samples in "
                     r"a row", rollback["message"])
