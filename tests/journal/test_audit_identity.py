"""The audit trail is not free text alone: every run (check, deploy, …) and every sign-off
records the operating-system user (of the effective uid, not ``$USER``/``$LOGNAME``, which
anyone can set) and the host, and `show` and the json/html/markdown reports show them.
A state store made before these columns existed opens and gains them."""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import sqlite3
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.postgres import execute, fresh_database
from testing.project import project, state_rows

CONFIG = """
version: 1
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: build, run: "true"}
      - {id: flows, title: Critical user flows tested, type: manual}
"""

SPOOFED = {"USER": "mallory", "LOGNAME": "mallory", "USERNAME": "mallory"}
OS_USER = pwd.getpwuid(os.geteuid()).pw_name
HOST = socket.gethostname()


#: The sign-off table as gonogo 0.1.0 made it (SQLite and PostgreSQL).
OLD_SIGNOFFS = """
CREATE TABLE signoffs (
    id {serial} PRIMARY KEY, run_id VARCHAR(64) NOT NULL REFERENCES runs (id),
    check_id VARCHAR(255) NOT NULL, "by" VARCHAR(255) NOT NULL, decision VARCHAR(16) NOT NULL,
    note TEXT, expires VARCHAR(40), previous_outcome VARCHAR(16), at VARCHAR(40) NOT NULL)
"""
OLD_SIGNOFF = ("INSERT INTO signoffs (run_id, check_id, \"by\", decision, at) VALUES "
               "({p}, 'build', 'old-bob', 'approved', '2026-01-01T00:00:00.000+00:00')")


def pending_run(root: Path) -> str:
    checked = gonogo("check", cwd=root, env=SPOOFED)
    assert checked.returncode == 4, checked.stdout + checked.stderr
    return re.findall(r"· run (\S+)", checked.stdout)[-1]


def test_runs_and_signoffs_record_and_show_the_os_user_and_host(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    run_id = pending_run(tmp_path)
    signed = gonogo("signoff", run_id, "flows", "--by", "alice", "--note", "clicked through",
                    cwd=tmp_path, env=SPOOFED)
    assert signed.returncode == 0, signed.stdout + signed.stderr

    assert state_rows(tmp_path, "select user, host from runs") == [(OS_USER, HOST)]
    assert state_rows(tmp_path, "select by, os_user, host from signoffs") == [
        ("alice", OS_USER, HOST)]

    shown = gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()
    assert re.fullmatch(rf"started .* UTC by {OS_USER}@{HOST}", shown[1])
    history = shown.index("      sign-offs (oldest first; the last one decides):")
    at = shown[history + 1].split()[0]
    assert shown[history + 1] == (
        f"        {at} flows: approved by alice (os user {OS_USER}@{HOST}) — clicked through")

    data = json.loads(gonogo("report", run_id, "--format", "json", cwd=tmp_path).stdout)
    assert {"run_id", "verdict", "exit_code", "started_at", "finished_at", "checks"} <= set(data)
    assert (data["os_user"], data["host"]) == (OS_USER, HOST)
    assert data["signoffs"] == [{
        "check_id": "flows", "by": "alice", "decision": "approved", "note": "clicked through",
        "expires": None, "at": at, "os_user": OS_USER, "host": HOST}]
    listed = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["os_user"], r["host"]) for r in listed] == [(OS_USER, HOST)]

    markdown = gonogo("report", run_id, "--format", "markdown", cwd=tmp_path).stdout
    assert (f"| {at} | flows | approved | alice (os user {OS_USER}@{HOST}) | clicked through |"
            in markdown.splitlines())
    assert f"Run by `{OS_USER}` on `{HOST}`, started " in markdown
    html = gonogo("report", run_id, "--format", "html", cwd=tmp_path).stdout
    assert f"flows: approved by alice <span class=\"badge\">os user {OS_USER}@{HOST}</span>" in html


def test_a_deploy_records_the_os_user_not_the_environment(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", """\
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
    deploy: 'echo "$GONOGO_VERSION" > web.live'
    current: 'cat web.live 2>/dev/null || true'
    health: {command: 'test -s web.live', within: 2s, interval: 100ms}
""")
    deployed = gonogo("deploy", "--version", "v1", cwd=tmp_path, env=SPOOFED)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert state_rows(tmp_path, "select command, user, host from runs") == [
        ("deploy", OS_USER, HOST)]
    releases = json.loads(gonogo("releases", "--format", "json", cwd=tmp_path).stdout)
    assert [r["by"] for r in releases["releases"]] == [OS_USER]
    shown = gonogo("show", "last", cwd=tmp_path).stdout.splitlines()
    assert shown[1].endswith(f"UTC by {OS_USER}@{HOST} · environment production · version v1")


def test_a_state_db_from_before_the_os_user_columns_opens_and_gains_them(tmp_path: Path) -> None:
    project(tmp_path, CONFIG)
    run_id = pending_run(tmp_path)
    # the sign-off table as gonogo 0.1.0 made it, holding one sign-off made back then
    with sqlite3.connect(tmp_path / ".gonogo" / "state.db") as conn:
        conn.execute("DROP TABLE signoffs")
        conn.execute(OLD_SIGNOFFS.format(serial="INTEGER"))
        conn.execute(OLD_SIGNOFF.format(p="?"), (run_id,))
        conn.execute("ALTER TABLE runs DROP COLUMN pid_start")  # runs as gonogo 0.1.0 made it
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert ("        2026-01-01T00:00:00.000+00:00 build: approved by old-bob (os user not "
            "recorded)" in shown.stdout.splitlines())
    assert ("pid_start",) in state_rows(tmp_path, "select name from pragma_table_info('runs')")
    signed = gonogo("signoff", run_id, "flows", "--by", "alice", cwd=tmp_path)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert state_rows(tmp_path, "select by, os_user, host from signoffs order by id") == [
        ("old-bob", None, None), ("alice", OS_USER, HOST)]


@pytest.mark.postgres
def test_a_postgres_state_from_before_the_os_user_columns_gains_them(tmp_path: Path) -> None:
    with fresh_database("gonogo_state") as url:
        project(tmp_path, CONFIG + f'state: "{url}"\n')
        run_id = pending_run(tmp_path)
        execute(url, "DROP TABLE signoffs")
        execute(url, OLD_SIGNOFFS.format(serial="SERIAL"))
        execute(url, OLD_SIGNOFF.format(p="%s"), (run_id,))
        execute(url, "ALTER TABLE runs DROP COLUMN pid_start")
        signed = gonogo("signoff", run_id, "flows", "--by", "alice", cwd=tmp_path, env=SPOOFED)
        assert signed.returncode == 0, signed.stdout + signed.stderr
        assert execute(url, "SELECT column_name FROM information_schema.columns WHERE "
                            "table_name = 'runs' AND column_name = 'pid_start'") == [("pid_start",)]
        assert execute(url, 'SELECT "by", os_user, host FROM signoffs ORDER BY id') == [
            ("old-bob", None, None), ("alice", OS_USER, HOST)]
