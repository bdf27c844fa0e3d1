"""`gonogo resume RUN` only while the environment's releases are as the run left them: a
later deploy makes it refuse (exit 2, naming the later run and version) instead of putting
the old plan back over it; `--rollback` stays possible only when it returns to what is live.
Shell driver: real subprocesses, files as the platform."""

from __future__ import annotations

import json
import re
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
      - {id: tests, title: Tests pass, run: "true"}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/api'
    current: 'cat live/api 2>/dev/null || true'
    health: {command: 'test -s live/api', within: 2s, interval: 100ms}
  - name: web
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/web'
    current: 'cat live/web 2>/dev/null || true'
    health: {command: 'test -s live/web', within: 2s, interval: 100ms}
    needs: [api]
"""


def _project(root: Path) -> Path:
    write(root / "gonogo.yml", CONFIG)
    (root / "live").mkdir()
    first = gonogo("deploy", "--version", "v1", cwd=root)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


def _runs(root: Path) -> list[dict[str, object]]:
    return list(json.loads(gonogo("runs", "--format", "json", cwd=root).stdout))


def _live(root: Path) -> dict[str, str]:
    return {s: (root / "live" / s).read_text().strip() for s in ("api", "web")}


def test_resume_refused_after_a_newer_deploy_killed_halfway(tmp_path: Path) -> None:
    root = _project(tmp_path)
    killed = gonogo("deploy", "--version", "v4", cwd=root,
                    env={"GONOGO_FAULTPOINTS": "deploy.healthy:api=kill"})
    assert killed.returncode == -9, killed.stdout + killed.stderr
    old = str(_runs(root)[0]["run_id"])
    assert _live(root) == {"api": "v4", "web": "v1"}  # mixed, as the issue found it
    assert gonogo("lock", "release", cwd=root).returncode == 0
    newer = gonogo("deploy", "--version", "v1", cwd=root)
    assert newer.returncode == 0, newer.stdout + newer.stderr
    new = str(_runs(root)[0]["run_id"])
    at = re.search(r"^\d{8}-(\d\d)(\d\d)", new)
    assert at is not None

    resumed = gonogo("resume", old, cwd=root)
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    assert resumed.stderr == (
        f"gonogo: error: run {old} cannot be resumed: run {new} deployed v1 to production "
        f"after it (at {at[1]}:{at[2]}); start a new deploy instead\n")
    assert _live(root) == {"api": "v1", "web": "v1"}  # v4 was not put back
    assert gonogo("lock", cwd=root).stdout == "no deploy lock is held\n"

    # undoing it would return api to v1 — what is live — so --rollback may close the run
    undone = gonogo("resume", old, "--rollback", cwd=root)
    assert undone.returncode == 5, undone.stdout + undone.stderr
    assert _live(root) == {"api": "v1", "web": "v1"}


def test_resume_refused_after_a_deploy_that_followed_an_interrupt(tmp_path: Path) -> None:
    root = _project(tmp_path)
    stopped = gonogo("deploy", "--version", "v4", cwd=root,
                     env={"GONOGO_FAULTPOINTS": "check.before:tests=int"})
    assert stopped.returncode == 130, stopped.stdout + stopped.stderr
    old = str(_runs(root)[0]["run_id"])
    assert gonogo("deploy", "--version", "v2", cwd=root).returncode == 0
    new = str(_runs(root)[0]["run_id"])

    resumed = gonogo("resume", old, cwd=root)
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    assert resumed.stderr.startswith(
        f"gonogo: error: run {old} cannot be resumed: run {new} deployed v2 to production "
        "after it (at ")
    assert _live(root) == {"api": "v2", "web": "v2"}


def test_resume_rollback_refused_when_it_would_move_off_the_live_release(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    killed = gonogo("deploy", "--version", "v4", cwd=root,
                    env={"GONOGO_FAULTPOINTS": "deploy.healthy:api=kill"})
    assert killed.returncode == -9
    old = str(_runs(root)[0]["run_id"])
    assert gonogo("lock", "release", cwd=root).returncode == 0
    assert gonogo("deploy", "--version", "v2", cwd=root).returncode == 0
    new = str(_runs(root)[0]["run_id"])

    undone = gonogo("resume", old, "--rollback", cwd=root)
    assert undone.returncode == 2, undone.stdout + undone.stderr
    assert undone.stderr.startswith(f"gonogo: error: run {old} cannot be rolled back: run {new} "
                                    "deployed v2 to production after it (at ")
    assert undone.stderr.endswith(", and rolling back would return api to v1, not what is live "
                                  "(v2); use `gonogo rollback` or start a new deploy instead\n")
    assert _live(root) == {"api": "v2", "web": "v2"}


def test_resume_still_finishes_a_run_nothing_followed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    killed = gonogo("deploy", "--version", "v4", cwd=root,
                    env={"GONOGO_FAULTPOINTS": "deploy.healthy:api=kill"})
    assert killed.returncode == -9
    old = str(_runs(root)[0]["run_id"])
    resumed = gonogo("resume", old, cwd=root)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert _live(root) == {"api": "v4", "web": "v4"}
