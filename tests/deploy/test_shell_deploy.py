"""`gonogo deploy` with the shell driver: ordered deploy, health gates, automatic rollback,
exit 5 / 6, releases, rollback, the lock. Real subprocesses, real SQLite; no Docker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from testing.cli import gonogo, write

CONFIG = """\
version: 1
name: shop
environments:
  production: {}
contacts:
  - {role: On-call engineer, contact: "+1 555 0100"}
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: ok, title: Tests pass, run: "true"}
  - id: verify
    kind: verify
    checks:
      - id: smoke
        title: Smoke test passes
        run: 'test "$(cat live/web)" != v3'
services:
  - name: web
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/web; echo "web $GONOGO_VERSION prev=$GONOGO_PREVIOUS_VERSION env=$GONOGO_ENV run=$GONOGO_RUN_ID" >> calls'
    current: 'cat live/web 2>/dev/null || true'
    health: {command: 'test "$(cat live/web)" != v2', within: 2s, interval: 100ms}
    needs: [api]
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live/api; echo "api $GONOGO_VERSION prev=$GONOGO_PREVIOUS_VERSION" >> calls'
    rollback: 'ROLLBACK_API; echo "$GONOGO_VERSION" > live/api; echo "api rollback to $GONOGO_VERSION from $GONOGO_FAILED_VERSION" >> calls'
    health: {command: 'test -s live/api', within: 2s, interval: 100ms}
"""


def project(tmp_path: Path, rollback_api: str = "true") -> Path:
    write(tmp_path / "gonogo.yml", CONFIG.replace("ROLLBACK_API", rollback_api))
    (tmp_path / "live").mkdir()
    return tmp_path


def calls(root: Path) -> list[str]:
    return (root / "calls").read_text().splitlines()


def test_deploy_in_needs_order_then_record_the_release(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = gonogo("deploy", "--version", "v1", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Deployed v1 to production: every service healthy, verification passed." in result.stdout
    log = calls(root)
    assert log[0] == "api v1 prev="
    assert log[1].startswith("web v1 prev= env=production run=")
    assert "  1. api  shell   (not running) → v1" in result.stdout
    assert "  2. web  shell   (not running) → v1" in result.stdout

    releases = gonogo("releases", cwd=root)
    assert releases.returncode == 0
    lines = releases.stdout.splitlines()
    assert lines[0] == "production:"
    assert any(line.split()[:2] == ["api", "v1"] for line in lines)
    assert any(line.split()[:4] == ["v1", "live", "yes", "deploy"] for line in lines)


def test_unhealthy_service_is_rolled_back_with_what_changed_before_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    result = gonogo("deploy", "--version", "v2", cwd=root)
    assert result.returncode == 5, result.stdout + result.stderr
    # api went to v2 and was healthy; web went to v2 and was not: both return, web first
    # (web has no rollback command: its deploy command runs again for the previous version)
    run_id = _run_id(result.stdout)
    assert calls(root)[-4:] == [
        "api v2 prev=v1",
        f"web v2 prev=v1 env=production run={run_id}",
        f"web v1 prev=v1 env=production run={run_id}",
        "api rollback to v1 from v2",
    ]
    assert (root / "live" / "web").read_text().strip() == "v1"
    assert (root / "live" / "api").read_text().strip() == "v1"
    out = result.stdout
    assert out.index("Roll back web to v1") < out.index("Roll back api to v1")
    assert "✗ web healthy on v2 [services]" in out
    assert "not healthy within 2.0s: health command exit 1" in out
    assert ("Rolled back v2 in production: web is not healthy on v2: not healthy within 2.0s: "
            "health command exit 1. The previous release serves again (web v1, api v1).") in out
    releases = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)
    assert [(r["version"], r["status"], r["verified"]) for r in releases["releases"]] == [
        ("v2", "rolled_back", False), ("v1", "live", True)]
    assert {s["service"]: s["version"] for s in releases["live"]} == {"api": "v1", "web": "v1"}


def test_failing_verify_rolls_back_every_changed_service_in_reverse(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    result = gonogo("deploy", "--version", "v3", cwd=root)
    assert result.returncode == 5
    assert "✗ Smoke test passes [verify]" in result.stdout
    assert "Rolling back: verification failed" in result.stdout
    out = result.stdout
    assert out.index("Roll back web to v1") < out.index("Roll back api to v1")
    assert "✓ web healthy again on v1" in out and "✓ api healthy again on v1" in out


def test_rollback_that_fails_exits_6_and_prints_contacts(tmp_path: Path) -> None:
    root = project(tmp_path, rollback_api="echo registry unreachable >&2; exit 7")
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    result = gonogo("deploy", "--version", "v2", cwd=root)
    assert result.returncode == 6, result.stdout + result.stderr
    out = result.stdout
    assert "✗ Roll back api to v1 [rollback]" in out
    assert "api: rollback: exit 7: registry unreachable" in out
    assert "ROLLBACK FAILED in production:" in out
    assert out.rstrip().endswith("Contacts:\n  On-call engineer: +1 555 0100")
    live = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)["live"]
    assert {s["service"]: (s["version"], s["state"]) for s in live}["api"] == (None, "unknown")


def test_rollback_command_returns_to_the_last_verified_release(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    assert gonogo("deploy", "--version", "v2", cwd=root).returncode == 5
    assert gonogo("deploy", "--version", "v4", cwd=root).returncode == 0
    first = _first_run_id(gonogo("releases", "--format", "json", cwd=root).stdout, "v1")
    result = gonogo("rollback", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(
        "Rolling back production to v1, the last release that passed verification (deployed ")
    assert f"by {_user()}, run {first})." in result.stdout.splitlines()[0]
    assert (root / "live" / "web").read_text().strip() == "v1"
    data = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)
    assert data["releases"][0]["command"] == "rollback"
    assert data["releases"][0]["version"] == "v1" and data["releases"][0]["status"] == "live"

    to = gonogo("rollback", "--to", "v4", cwd=root)
    assert to.returncode == 0
    assert to.stdout.splitlines()[0].startswith("Rolling back production to v4 (requested; deployed")
    assert (root / "live" / "api").read_text().strip() == "v4"


def test_rollback_without_an_earlier_release_is_a_one_line_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    result = gonogo("rollback", cwd=root)
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: no earlier verified release of production to roll "
                             "back to (live: v1); pass --to VERSION\n")


def test_dry_run_prints_the_plan_and_changes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gonogo("deploy", "--version", "v1", cwd=root).returncode == 0
    before = calls(root)
    result = gonogo("deploy", "--version", "v4", "--dry-run", cwd=root)
    assert result.returncode == 0
    assert "  1. api  shell   v1 → v4" in result.stdout
    assert "  2. web  shell   v1 → v4" in result.stdout
    assert result.stdout.rstrip().endswith("Dry run: nothing was changed.")
    assert calls(root) == before
    data = json.loads(gonogo("releases", "--format", "json", cwd=root).stdout)
    assert [r["version"] for r in data["releases"]] == ["v1"]


def test_bad_version_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = gonogo("deploy", "--version", "v1; rm -rf /", cwd=root)
    assert result.returncode == 2
    assert result.stderr == ("gonogo: error: --version 'v1; rm -rf /': expected an image tag "
                             "(letters, digits, '_', '.', '-'; at most 128 characters)\n")


SLOW = """\
version: 1
name: slow
environments:
  production: {}
services:
  - name: api
    driver: shell
    deploy: 'echo "$GONOGO_VERSION" > live; touch started; while [ ! -f go ]; do sleep 0.05; done'
    current: 'cat live 2>/dev/null || true'
    rollback: 'echo "$GONOGO_VERSION" > live'
"""


def _start_deploy(root: Path, version: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env["NO_COLOR"] = "1"
    return subprocess.Popen([sys.executable, "-m", "gonogo", "deploy", "--version", version],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if path.exists():
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def test_second_deploy_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", SLOW)
    first = _start_deploy(tmp_path, "v1")
    try:
        _wait_for(tmp_path / "started", first)
        second = gonogo("deploy", "--version", "v2", cwd=tmp_path)
        assert second.returncode == 2
        msg = second.stderr
        assert msg.startswith(f"gonogo: error: another deploy is running in production: lock held "
                              f"by {_user()} on {os.uname().nodename} (pid {first.pid}) deploying v1 for ")
        assert msg.rstrip().endswith("wait for it to finish (`gonogo lock status --env production`)")
        status = gonogo("lock", "status", cwd=tmp_path)
        assert status.stdout.startswith(f"production: held — held by {_user()} on ")
    finally:
        (tmp_path / "go").touch()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    assert gonogo("lock", cwd=tmp_path).stdout == "no deploy lock is held\n"


def test_killed_deploy_leaves_a_stale_lock_then_resume_finishes_it(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", SLOW)
    (tmp_path / "go").touch()
    assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
    (tmp_path / "go").unlink()
    (tmp_path / "started").unlink()
    proc = _start_deploy(tmp_path, "v2")
    _wait_for(tmp_path / "started", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    run_id = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)[0]["run_id"]

    refused = gonogo("deploy", "--version", "v3", cwd=tmp_path)
    assert refused.returncode == 2
    assert "the deploy lock of production is stale:" in refused.stderr
    assert f"but its process {proc.pid} on {os.uname().nodename} is gone" in refused.stderr
    assert "run `gonogo lock release --env production`" in refused.stderr
    status = gonogo("lock", "status", cwd=tmp_path)
    assert status.stdout.startswith(
        f"production: STALE: its process {proc.pid} on {os.uname().nodename} is gone — held by")

    (tmp_path / "go").touch()
    resumed = gonogo("resume", run_id, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"Resuming run {run_id} (v2 to production), interrupted at stage 'deploy'." in resumed.stdout
    assert "Deployed v2 to production" in resumed.stdout
    assert (tmp_path / "live").read_text().strip() == "v2"
    assert gonogo("lock", cwd=tmp_path).stdout == "no deploy lock is held\n"
    show = gonogo("show", run_id, cwd=tmp_path)
    assert "deploy · GO (exit 0)" in show.stdout


def test_killed_deploy_can_be_rolled_back_after_releasing_the_lock(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", SLOW)
    (tmp_path / "go").touch()
    assert gonogo("deploy", "--version", "v1", cwd=tmp_path).returncode == 0
    (tmp_path / "go").unlink()
    (tmp_path / "started").unlink()
    proc = _start_deploy(tmp_path, "v2")
    _wait_for(tmp_path / "started", proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    released = gonogo("lock", "release", cwd=tmp_path)
    assert released.returncode == 0
    assert released.stdout.startswith("released the deploy lock of production (stale: its process")
    run_id = released.stdout.strip().rsplit(" ", 1)[-1]
    result = gonogo("resume", run_id, "--rollback", cwd=tmp_path)
    assert result.returncode == 5, result.stdout + result.stderr
    assert "Rolling back what the interrupted run changed: api" in result.stdout
    assert (tmp_path / "live").read_text().strip() == "v1"


def _run_id(out: str) -> str:
    for line in out.splitlines():
        if " · run " in line:
            return line.rsplit(" ", 1)[-1]
    raise AssertionError(out)


def _first_run_id(releases_json: str, version: str) -> str:
    return next(r["run_id"] for r in json.loads(releases_json)["releases"]
                if r["version"] == version)


def _user() -> str:
    import getpass

    return getpass.getuser()


def test_a_protected_environment_needs_yes(tmp_path: Path) -> None:
    root = project(tmp_path)
    config = (root / "gonogo.yml").read_text().replace("  production: {}",
                                                         "  production: {protected: true}")
    write(root / "gonogo.yml", config)
    refused = gonogo("deploy", "--version", "v1", cwd=root)
    assert refused.returncode == 2
    assert refused.stderr == ("gonogo: error: environment production is protected: pass --yes "
                              "to deploy v1\n")
    assert not (root / "calls").exists()
    assert gonogo("deploy", "--version", "v1", "--dry-run", cwd=root).returncode == 0
    assert gonogo("deploy", "--version", "v1", "--yes", cwd=root).returncode == 0
