"""Every run ends in a truthful state: a run whose process is gone is `interrupted` (never
`RUNNING` forever), Ctrl-C records what was running and exits 130 without a traceback, a
closed stdout never stops the work, and the `runs` table never cuts a word."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.project import gone, group_members, project, state_rows

HOST = socket.gethostname()

SLOW_CHECK = """
version: 1
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: fast, run: "true"}
      - id: slow
        run: sh -c 'echo $$ > slow.pid; exec sleep 60'
        timeout: 5m
"""


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    env.update({"NO_COLOR": "1", "COLUMNS": "200"})
    return subprocess.Popen([sys.executable, "-m", "gonogo", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition: Callable[[], bool], within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.fixture
def children(tmp_path: Path) -> Iterator[None]:
    """Whatever a killed gonogo left running (its pid in ``*.pid``) is killed afterwards."""
    yield
    for file in tmp_path.glob("*.pid"):
        pid = int(file.read_text().split()[0])
        for sig in (signal.SIGKILL,):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                pass


def test_a_check_killed_with_sigkill_shows_interrupted_everywhere(tmp_path: Path,
                                                                  children: None) -> None:
    project(tmp_path, SLOW_CHECK)
    proc = start(tmp_path, "check")
    wait_for(lambda: (tmp_path / "slow.pid").exists())
    proc.kill()
    proc.communicate(timeout=30)
    assert state_rows(tmp_path, "select status from runs") == [("running",)]
    run_id = state_rows(tmp_path, "select id from runs")[0][0]

    listed = gonogo("runs", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    row = listed.stdout.splitlines()[1].split()
    assert row[:4] == [run_id, "check", "-", "INTERRUPTED"]
    # the correction is journaled once it is certain: the process is gone from this host
    assert state_rows(tmp_path, "select status from runs") == [("interrupted",)]

    why = f"interrupted: its process {proc.pid} on {HOST} is gone"
    shown = gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()
    assert shown[0] == f"run {run_id} · check · INTERRUPTED (exit None)"
    assert shown[2] == why  # no resume hint: a check is run again, not resumed
    data = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)[0]
    assert (data["verdict"], data["status"], data["status_note"], data["resume"]) == (
        "INTERRUPTED", "interrupted", why, None)
    report = json.loads(gonogo("report", run_id, "--format", "json", cwd=tmp_path).stdout)
    assert (report["verdict"], report["status_note"]) == ("INTERRUPTED", why)
    markdown = gonogo("report", run_id, "--format", "markdown", cwd=tmp_path).stdout
    assert f"**{why}**" in markdown.splitlines()
    html = gonogo("report", run_id, "--format", "html", cwd=tmp_path).stdout
    assert f'<p class="status">{why}</p>' in html
    junit = gonogo("report", run_id, "--format", "junit", cwd=tmp_path).stdout
    assert f'verdict="INTERRUPTED" status="{why}"' in junit


def test_a_killed_deploy_shows_interrupted_with_the_resume_hint(tmp_path: Path,
                                                                children: None) -> None:
    project(tmp_path, """
        version: 1
        environments:
          production: {}
        phases:
          - id: pre
            kind: preflight
            checks:
              - {id: ok, run: "true"}
        services:
          - name: web
            driver: shell
            deploy: 'echo $$ > deploy.pid; exec sleep 60'
            current: 'cat web.live 2>/dev/null || true'
            health: {command: 'test -s web.live', within: 2s, interval: 100ms}
        """)
    proc = start(tmp_path, "deploy", "--version", "v1")
    wait_for(lambda: (tmp_path / "deploy.pid").exists())
    proc.kill()
    proc.communicate(timeout=30)
    run_id = state_rows(tmp_path, "select id from runs")[0][0]

    listed = gonogo("runs", cwd=tmp_path).stdout.splitlines()
    assert listed[1].split()[:4] == [run_id, "deploy", "production", "INTERRUPTED"]
    hint = (f"interrupted: its process {proc.pid} on {HOST} is gone — resume with "
            f"`gonogo resume {run_id}`")
    assert listed[-1] == f"{run_id}: {hint}"
    assert gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()[2] == hint
    data = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)[0]
    assert (data["status"], data["resume"]) == ("interrupted", f"gonogo resume {run_id}")


def _a_finished_run_made_running(root: Path, **values: object) -> str:
    """A real run whose row then says what a run still in progress records (a pid reused
    by another process, or another host, cannot be produced on demand)."""
    project(root, 'phases:\n  - {id: p, kind: preflight, checks: [{id: ok, run: "true"}]}\n')
    assert gonogo("check", cwd=root).returncode == 0
    sets = ", ".join(f"{k} = ?" for k in values)
    with sqlite3.connect(root / ".gonogo" / "state.db") as conn:
        conn.execute(f"update runs set status = 'running', verdict = null, exit_code = null, "
                     f"finished_at = null, {sets}", tuple(values.values()))
    return str(state_rows(root, "select id from runs")[0][0])


def test_a_reused_pid_is_not_taken_for_the_run(tmp_path: Path) -> None:
    # the pid is alive (this test process) but started at another time: not the run's process
    run_id = _a_finished_run_made_running(tmp_path, pid=os.getpid(), pid_start="other-boot:1")
    shown = gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()
    assert shown[0] == f"run {run_id} · check · INTERRUPTED (exit None)"
    assert shown[2] == (f"interrupted: its process {os.getpid()} on {HOST} is gone (pid "
                        f"{os.getpid()} now belongs to another process)")


def test_a_live_run_stays_running_and_another_hosts_run_is_not_judged(tmp_path: Path) -> None:
    with open(f"/proc/{os.getpid()}/stat") as handle:
        token = handle.read().rsplit(")", 1)[1].split()[19]
    with open("/proc/sys/kernel/random/boot_id") as handle:
        boot = handle.read().strip()
    run_id = _a_finished_run_made_running(tmp_path, pid=os.getpid(), pid_start=f"{boot}:{token}")
    assert gonogo("runs", cwd=tmp_path).stdout.splitlines()[1].split()[3] == "RUNNING"
    assert state_rows(tmp_path, "select status from runs") == [("running",)]

    with sqlite3.connect(tmp_path / ".gonogo" / "state.db") as conn:
        conn.execute("update runs set host = 'build-7', pid = 1")
    listed = gonogo("runs", cwd=tmp_path).stdout.splitlines()
    assert listed[1].split()[3] == "RUNNING?"
    note = f"running on build-7 (pid 1); {HOST} cannot tell whether it is still alive"
    assert listed[-1] == f"{run_id}: {note}"
    assert gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()[2] == note
    assert state_rows(tmp_path, "select status from runs") == [("running",)]


def test_ctrl_c_records_the_running_check_and_exits_130_without_a_traceback(
    tmp_path: Path, children: None,
) -> None:
    project(tmp_path, SLOW_CHECK)
    proc = start(tmp_path, "check")
    wait_for(lambda: (tmp_path / "slow.pid").exists())
    sleeper = int((tmp_path / "slow.pid").read_text())
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "Traceback" not in err and "never retrieved" not in err
    assert err == "gonogo: interrupted\n"
    run_id = state_rows(tmp_path, "select id from runs")[0][0]
    assert out.splitlines()[-1] == (f"run {run_id} interrupted; what it recorded: "
                                    f"gonogo show {run_id}")
    assert gone(sleeper) and group_members(sleeper) == []

    assert state_rows(tmp_path, "select status, exit_code from runs") == [("interrupted", 130)]
    assert state_rows(tmp_path, "select check_id, outcome, summary from results order by seq") == [
        ("fast", "passed", "exit 0"),
        ("slow", "errored", "interrupted by Ctrl-C before it finished"),
    ]
    shown = gonogo("show", "last", cwd=tmp_path).stdout.splitlines()
    assert shown[0] == f"run {run_id} · check · INTERRUPTED (exit 130)"
    assert shown[2] == "interrupted: stopped by Ctrl-C (SIGINT)"
    slow = next(i for i, line in enumerate(shown) if line.startswith("  ! slow: "))
    assert " — errored, " in shown[slow]
    assert shown[slow + 1:slow + 3] == ["      interrupted by Ctrl-C before it finished",
                                        "      interrupted: Ctrl-C (SIGINT)"]


def test_a_closed_stdout_never_stops_the_work(tmp_path: Path) -> None:
    checks = "\n".join(f'      - {{id: c{i}, run: "true"}}' for i in range(40))
    project(tmp_path, f"""
version: 1
phases:
  - id: pre
    kind: preflight
    checks:
      - {{id: first, run: "true"}}
      - {{id: later, run: "sleep 1", needs: [first]}}
{checks}
""")
    # `gonogo check | head -1`: the reader takes one line and goes away
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    pipeline = subprocess.run(
        f"{sys.executable} -m gonogo check | head -1; echo \"exit ${{PIPESTATUS[0]}}\"",
        shell=True, executable="/bin/bash", cwd=tmp_path, env={**env, "NO_COLOR": "1"},
        capture_output=True, text=True, timeout=120)
    assert pipeline.stdout.splitlines()[-1] == "exit 0", pipeline.stdout + pipeline.stderr
    assert pipeline.stderr == ("gonogo: standard output was closed early; the command carries "
                               "on without printing\n")
    assert state_rows(tmp_path, "select status, verdict, exit_code from runs") == [
        ("finished", "GO", 0)]
    assert state_rows(tmp_path, "select count(*) from results where outcome = 'passed'") == [
        (42,)]


@pytest.mark.parametrize("columns", ["50", "120"])
def test_the_runs_table_fits_its_longest_word(tmp_path: Path, columns: str) -> None:
    run_id = _a_finished_run_made_running(tmp_path, pid=2**22 + 1)  # no such process
    listed = gonogo("runs", cwd=tmp_path, env={"COLUMNS": columns}).stdout.splitlines()
    header, row = listed[0], listed[1]
    assert row.startswith(f"{run_id}  check    -    INTERRUPTED  20")
    assert row.index("INTERRUPTED") == header.index("VERDICT")
    assert row.index("20", len(run_id)) == header.index("STARTED (UTC)")
