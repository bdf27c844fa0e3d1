"""The overview and releases pages after a real `gonogo deploy` (shell driver): the live
version per service, the last verdict, the deploy lock and its holder, release history; and
the audit trail of the deploy and the lock's release."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from testing.cli import gonogo, write
from testing.web import OS_USER, add_user, serve

CONFIG = """\
version: 1
name: shop
environments:
  production: {}
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: ok, title: Tests pass, run: "true"}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/api'
    current: 'cat live/api 2>/dev/null || true'
    health: {command: 'test -s live/api', within: 2s, interval: 100ms}
"""


def test_overview_and_releases_show_what_a_deploy_did(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    (tmp_path / "live").mkdir()
    deployed = gonogo("deploy", "--env", "production", "--version", "v7", "--yes", cwd=tmp_path)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    token = add_user(tmp_path, "alice", "viewer")
    with serve(tmp_path) as server, server.client(token) as alice:
        overview = alice.get("/").text
        section = overview.split('id="env-production"', 1)[1]
        assert '<span class="verdict v-GO">GO</span>' in section
        assert "<td>api</td><td>v7</td>" in section
        assert "deploy lock:\n    free" in section
        releases = alice.get("/api/v1/releases", params={"environment": "production"}).json()
        assert [(r["version"], r["status"], r["verified"]) for r in releases["releases"]] == [
            ("v7", "live", True)]
        assert "<td>v7</td><td>live</td><td>yes</td>" in alice.get("/releases").text
        status = alice.get("/api/v1/environments/production/status")
        assert (status.status_code, status.json()["version"]) == (200, "v7")
        assert alice.get("/api/v1/environments/staging/status").status_code == 503
        actions = [json.loads(line)["action"] for line in alice.get("/audit.jsonl").text.splitlines()]
        assert actions[::-1] == ["deploy", "run-finished", "lock-release", "token-created"]

        # a deploy that holds the lock: the overview names its holder
        write(tmp_path / "gonogo.yml", CONFIG.replace("'echo \"$GONOGO_VERSION\" > live/api'",
                                                     "'sleep 6; echo \"$GONOGO_VERSION\" > live/api'"))
        held = subprocess.Popen([sys.executable, "-m", "gonogo", "deploy", "--env", "production",
                                 "--version", "v8", "--yes"], cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 20
            while "held by" not in (page := alice.get("/").text) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert f"held by {OS_USER} on " in page and f"(pid {held.pid})" in page
        finally:
            assert held.wait(timeout=60) == 0
