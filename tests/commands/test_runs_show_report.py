"""History: `gonogo runs`, `gonogo show RUN`, `gonogo report RUN --format F`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from testing.cli import gonogo
from testing.project import project

CONFIG = """
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: build, title: API build passes, run: "echo step 1; echo 'fatal: out of memory' >&2; exit 137"}
      - {id: lint, title: Lint, run: "true"}
"""


def test_no_runs_yet(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    result = gonogo("runs", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (
        0, "", f"gonogo: no runs yet (no state at {tmp_path}/.gonogo)\n")
    assert gonogo("runs", "--format", "json", cwd=tmp_path).stdout == "[]\n"
    shown = gonogo("show", "last", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (
        2, f"gonogo: error: no run 'last': no state at {tmp_path}/.gonogo (nothing has run here "
           "yet)\n")
    assert not (tmp_path / ".gonogo").exists()


def test_runs_show_and_report(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    check = gonogo("check", cwd=tmp_path)
    assert check.returncode == 1
    run_id = re.findall(r"· run (\S+)", check.stdout)[-1]

    runs = gonogo("runs", cwd=tmp_path)
    header, row = runs.stdout.splitlines()
    assert header.split() == ["RUN", "COMMAND", "ENV", "VERDICT", "STARTED", "(UTC)", "RESULTS"]
    assert row.split()[:4] == [run_id, "check", "-", "NO-GO"]
    assert row.endswith(" 1 passed, 1 failed")

    (listed,) = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
    assert {"run_id", "verdict", "exit_code", "started_at", "finished_at"} <= set(listed)
    assert (listed["run_id"], listed["verdict"], listed["exit_code"]) == (run_id, "NO-GO", 1)

    shown = gonogo("show", run_id[:-1], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"run {run_id} · check · NO-GO (exit 1)"
    assert lines[3] == "── pre (preflight)"
    assert re.sub(r"\d+\.\d\ds", "T", lines[4]) == "  ✗ build: API build passes — failed, T"
    assert lines[5:10] == [
        "      exit 137: fatal: out of memory",
        "      command: echo step 1; echo 'fatal: out of memory' >&2; exit 137",
        "      exit_code: 137",
        "      stdout_bytes: 7",
        "      stderr_bytes: 21",
    ]
    assert lines[10] == f"      output: {tmp_path}/.gonogo/runs/{run_id}/output/build.log"
    assert lines[11:15] == ["        | step 1", "        | ", "        | --- stderr ---",
                            "        | fatal: out of memory"]
    assert f"NO-GO: 1 passed, 1 failed · run {run_id}" in lines

    report = gonogo("report", run_id, "--format", "markdown", cwd=tmp_path)
    assert report.stdout.startswith(f"## 🔴 shop: NO-GO\n\nRun `{run_id}` · 1 passed, 1 failed\n")


def test_history_commands_use_the_configs_state_key(tmp_path: Path) -> None:
    project(tmp_path, CONFIG + "state: var/gate-state\n")
    gonogo("check", cwd=tmp_path)
    assert (tmp_path / "var" / "gate-state" / "state.db").exists()
    assert not (tmp_path / ".gonogo").exists()
    runs = gonogo("runs", cwd=tmp_path)
    assert len(runs.stdout.splitlines()) == 2
