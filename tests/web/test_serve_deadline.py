"""A run past its sign-off deadline (`signoff_within`) is NO-GO for every reader of the
dashboard — the overview, the runs list (page and API), the status endpoint, /metrics — as
on its own page; each test starts from a run nothing has looked at since its deadline."""

from __future__ import annotations

import re
import time
from pathlib import Path

from testing.cli import gonogo
from testing.project import project, state_rows
from testing.web import add_user, serve

CONFIG = """
version: 1
name: shop
signoff_within: 1s
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: build, run: "true"}
      - {id: flows, title: Critical user flows tested, type: manual}
"""


def overdue_run(root: Path) -> tuple[str, str]:
    """A PENDING run (started by the CLI) whose 1s sign-off deadline has passed, nothing
    having read it since; returns its id and a viewer's token."""
    project(root, CONFIG)
    check = gonogo("check", cwd=root)
    assert check.returncode == 4, check.stdout + check.stderr
    run_id = re.findall(r"· run (\S+)", check.stdout)[-1]
    token = add_user(root, "vic", "viewer")
    time.sleep(1.5)
    assert state_rows(root, "select verdict from runs") == [("PENDING",)]
    return run_id, token


def deadline_of(root: Path) -> str:
    meta = str(state_rows(root, "select meta from runs")[0][0])
    return meta.split('"deadline": "', 1)[1].split('"', 1)[0]


def test_the_runs_list_and_api_say_no_go_past_the_deadline(tmp_path: Path) -> None:
    run_id, token = overdue_run(tmp_path)
    with serve(tmp_path) as server, server.client(token) as vic:
        listed = vic.get("/api/v1/runs").json()
        assert [(r["run_id"], r["verdict"], r["exit_code"], r["counts"])
                for r in listed["runs"]] == [(run_id, "NO-GO", 1, {"passed": 1, "failed": 1})]
        assert vic.get("/api/v1/runs", params={"verdict": "PENDING"}).json()["total"] == 0
        page = vic.get("/runs").text
        row = page.split(f'<a href="/runs/{run_id}">', 1)[1].split("</tr>", 1)[0]
        assert '<span class="verdict v-NO-GO">NO-GO</span>' in row
        assert "1 passed, 1 failed" in row
        pending = vic.get("/runs", params={"verdict": "PENDING"}).text
        assert "Runs <small>0</small>" in pending and run_id not in pending
        no_go = vic.get("/runs", params={"verdict": "NO-GO"}).text
        assert "Runs <small>1</small>" in no_go and run_id in no_go
        metrics = vic.get("/metrics").text
        assert 'gonogo_runs_total{command="check",verdict="NO-GO"} 1.0' in metrics
        assert 'gonogo_last_verdict{environment="default",verdict="NO-GO"} 1.0' in metrics
    assert state_rows(tmp_path, "select verdict, exit_code from runs") == [("NO-GO", 1)]
    finished = state_rows(tmp_path, "select detail from audit where action = 'run-finished'")
    assert [d for (d,) in finished if "deadline" in d] == [  # recorded once, read many times
        f'{{"deadline": "{deadline_of(tmp_path)}", "failed": ["flows"]}}']


def test_the_status_endpoint_answers_503_no_go_and_says_why(tmp_path: Path) -> None:
    run_id, token = overdue_run(tmp_path)
    deadline = deadline_of(tmp_path)
    with serve(tmp_path) as server, server.client(token) as monitor:
        status = monitor.get("/api/v1/environments/default/status")
        assert status.status_code == 503
        body = status.json()
        assert (body["verdict"], body["run_id"], body["command"]) == ("NO-GO", run_id, "check")
        assert body["reasons"] == [f"flows: failed — no sign-off by the deadline {deadline}"]


def test_the_overview_shows_no_go_and_nothing_awaiting_sign_off(tmp_path: Path) -> None:
    run_id, token = overdue_run(tmp_path)
    with serve(tmp_path) as server, server.client(token) as vic:
        overview = vic.get("/").text
        env = overview.split('<section class="env" id="env-default">', 1)[1]
        assert env.split("</h2>", 1)[0].split("<h2>", 1)[1].split() == [
            "default", '<span', 'class="verdict', 'v-NO-GO">NO-GO</span>']
        assert f'<a href="/runs/{run_id}">check {run_id}</a>' in env
        assert "Awaiting sign-off" not in overview
        assert "Critical user flows tested" not in overview
