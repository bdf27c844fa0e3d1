"""Notifications through apprise to a local HTTP receiver (``json://127.0.0.1:PORT``)."""

from __future__ import annotations

import json
from pathlib import Path

from testing.cli import gonogo, write
from testing.http_server import Route, serve
from tests.deploy.conftest import free_port

CONFIG = """\
version: 1
name: shop
environments:
  production: {{}}
notify: ["{url}"]
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {{command: 'test "$(cat live)" != v2', within: 1s, interval: 100ms}}
"""


def test_start_success_failure_and_rollback_are_notified(tmp_path: Path) -> None:
    received: list[dict[str, str]] = []

    def hook(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        received.append(json.loads(body))
        return Route(200, "ok")

    with serve({"/hook": hook}) as server:
        write(tmp_path / "gonogo.yml",
              CONFIG.format(url=f"json://127.0.0.1:{server.port}/hook"))
        assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
        assert gonogo("deploy", "--version", "v2", cwd=tmp_path).returncode == 5
    got = [(m["type"], m["title"]) for m in received]
    assert got == [
        ("info", "shop: deploying v1 to production"),
        ("success", "shop: v1 live in production"),
        ("info", "shop: deploying v2 to production"),
        ("warning", "shop: rolling back v2 in production"),
        ("warning", "shop: v2 rolled back in production"),
    ]
    assert received[1]["message"].startswith("verdict: GO\napi: (not running) → v1")
    rollback = received[3]["message"]
    assert rollback.startswith("api is not healthy on v2: not healthy within 1.0s: health "
                               "command exit 1\n✗ api healthy on v2: not healthy within 1.0s")


def test_an_unreachable_notification_target_warns_and_the_deploy_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG.format(url=f"json://127.0.0.1:{free_port()}/hook"))
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 0
    assert ("  ⚠ notification (start) not delivered: a notification target did not accept it"
            in result.stdout)
