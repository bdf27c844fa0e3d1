"""A `post` step that fails after a verified release: the release stays live, nothing is
rolled back, and gonogo exits 7 (product contract), not 1 ("nothing changed")."""

from __future__ import annotations

import json
from pathlib import Path

from testing.cli import gonogo, write

CONFIG = """\
version: 1
name: shop
environments:
  production: {}
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: ok, run: "true"}
  - id: record
    kind: post
    checks:
      - {id: status-row, title: Deployment recorded, run: "echo cannot write the row >&2; exit 1"}
services:
  - name: web
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live'
    current: 'cat live 2>/dev/null || true'
    health: {command: 'test -s live', within: 2s, interval: 100ms}
"""


def test_a_failed_post_step_after_a_verified_release_exits_7(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", CONFIG)
    result = gonogo("deploy", "--version", "v1", cwd=tmp_path)
    assert result.returncode == 7, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(
        "v1 is live and verified in production, but post-deploy steps failed (no rollback: "
        "the release passed verification).")
    assert (tmp_path / "live").read_text().strip() == "v1"
    live = json.loads(gonogo("releases", "--format", "json", cwd=tmp_path).stdout)["live"]
    assert [(s["service"], s["version"]) for s in live] == [("web", "v1")]
    runs = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
    assert runs[0]["exit_code"] == 7
