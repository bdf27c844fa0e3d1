"""`state: postgresql://…`: a team's shared history in PostgreSQL — a real `gonogo check`,
then `runs`, `show last` and `signoff` against the same database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.cli import gonogo, write
from testing.postgres import execute, fresh_database

pytestmark = pytest.mark.postgres


def test_check_runs_show_signoff_on_postgres_state(tmp_path: Path) -> None:
    with fresh_database("gonogo_state") as url:
        write(tmp_path / "gonogo.yml", f"""\
version: 1
name: shop
state: "{url}"
phases:
  - id: quality
    kind: preflight
    checks:
      - id: build
        title: API build passes
        run: echo built
      - id: flows
        title: Critical user flows tested
        type: manual
""")
        checked = gonogo("check", cwd=tmp_path)
        assert checked.returncode == 4, checked.stdout + checked.stderr
        assert "PENDING: 1 passed, 1 pending · run " in checked.stdout
        assert not (tmp_path / ".gonogo" / "state.db").exists()
        assert execute(url, "SELECT command, verdict, exit_code FROM runs") == [("check", "PENDING", 4)]

        runs = gonogo("runs", "--format", "json", cwd=tmp_path)
        assert runs.returncode == 0, runs.stderr
        listed = json.loads(runs.stdout)
        assert [(r["verdict"], r["exit_code"]) for r in listed] == [("PENDING", 4)]
        run_id = listed[0]["run_id"]

        shown = gonogo("show", "last", cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith(f"run {run_id} · check · PENDING (exit 4)")
        assert "build: API build passes — passed" in shown.stdout
        assert "flows: Critical user flows tested — pending" in shown.stdout

        signed = gonogo("signoff", "last", "flows", "--by", "alice", "--note", "smoke ok", cwd=tmp_path)
        assert signed.returncode == 0, signed.stdout + signed.stderr
        assert signed.stdout.splitlines() == [
            "flows: passed — signed off by alice: smoke ok", f"run {run_id} is now GO"]
        assert execute(url, "SELECT verdict, exit_code FROM runs") == [("GO", 0)]
        assert execute(url, "SELECT check_id, by, decision FROM signoffs") == [("flows", "alice", "approved")]


def test_unreachable_state_database_is_one_line(tmp_path: Path) -> None:
    write(tmp_path / "gonogo.yml", 'version: 1\nstate: "postgresql://postgres@127.0.0.1:1/state"\n'
                                   "phases: []\n")
    done = gonogo("runs", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("gonogo: error: state store postgresql://postgres@127.0.0.1:1/state: ")
    assert len(done.stderr.strip().splitlines()) == 1
