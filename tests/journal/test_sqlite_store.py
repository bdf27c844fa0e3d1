"""The SQLite journal: WAL, each result committed as it completes, output files beside it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gonogo.core.clock import now
from gonogo.core.errors import StateError
from gonogo.core.outcomes import CheckResult, Outcome
from gonogo.journal.schema import find_item
from gonogo.journal.store import open_store
from testing.project import gone, project, state_rows


def a_result(check_id: str, outcome: Outcome = Outcome.PASSED, position: int = 0) -> CheckResult:
    return CheckResult(id=check_id, title=f"{check_id} title", phase="p", kind="preflight",
                       type="command", outcome=outcome, summary="exit 0", duration_s=0.1,
                       evidence={"exit_code": 0}, started_at=now(), finished_at=now(),
                       position=position)


def test_a_run_round_trips_with_its_results_and_output(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".gonogo"))
    journal = store.create_run("check", config_path="gonogo.yml", environment="prod",
                               meta={"name": "demo"})
    journal.record(a_result("b", position=1), "hello\n")
    journal.record(a_result("a", Outcome.PENDING, position=0), None)
    journal.finish(None, 4)
    record = store.load_run(journal.run_id)
    assert [(r.id, r.outcome) for r in record.results] == [("a", Outcome.PENDING), ("b", Outcome.PASSED)]
    b = record.results[1]
    assert b.evidence == {"exit_code": 0}
    assert b.output_path == str(tmp_path / ".gonogo" / "runs" / journal.run_id / "output" / "b.log")
    assert Path(b.output_path).read_text() == "hello\n"
    assert (record.command, record.environment, record.meta, record.status) == (
        "check", "prod", {"name": "demo"}, "finished")
    assert state_rows(tmp_path, "pragma journal_mode") == [("wal",)]
    store.close()


def test_runs_are_found_by_id_prefix_or_last(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".gonogo"))
    with pytest.raises(StateError, match="^no runs recorded yet in "):
        store.resolve("last")
    first = store.create_run("check", run_id="20260101-000000-aaaa").run_id
    second = store.create_run("check", run_id="20260101-000000-aaab").run_id
    assert store.resolve(first) == first
    assert store.resolve("20260101-000000-aaab"[:-1] + "b") == second
    with pytest.raises(StateError) as info:
        store.resolve("20260101")
    assert str(info.value) == (
        "run '20260101' is ambiguous: 20260101-000000-aaaa, 20260101-000000-aaab…")
    with pytest.raises(StateError) as info:
        store.resolve("nope")
    assert str(info.value) == f"no run 'nope' in {tmp_path / '.gonogo'} (see `gonogo runs`)"
    store.close()


def test_an_item_is_found_by_id_title_or_line(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".gonogo"))
    journal = store.create_run("check")
    journal.record(a_result("flows", Outcome.PENDING), None)
    journal.record(a_result("smoke", position=1), None)
    record = store.load_run(journal.run_id)
    assert find_item(record, "flows").id == "flows"
    assert find_item(record, "SMOKE TIT").id == "smoke"
    with pytest.raises(StateError) as info:
        find_item(record, "title")
    assert str(info.value) == f"'title' matches several items of run {journal.run_id}: flows, smoke"
    with pytest.raises(StateError) as info:
        find_item(record, "nothing")
    assert str(info.value) == f"no item 'nothing' in run {journal.run_id} (pending items: flows)"
    store.close()


def test_a_killed_run_keeps_every_result_it_finished(tmp_path: Path) -> None:
    """kill -9 gonogo while a slow second check runs: the first result is already in state.db."""
    project(tmp_path, """
        phases:
          - id: p
            kind: preflight
            checks:
              - {id: quick, run: "echo done"}
              - {id: slow, run: "echo $$ > slow.pid; exec sleep 60", needs: [quick]}
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
    proc = subprocess.Popen([sys.executable, "-m", "gonogo", "check"], cwd=tmp_path, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    slow_pid = tmp_path / "slow.pid"
    deadline = time.monotonic() + 60
    try:
        while not (slow_pid.exists() and slow_pid.read_text().strip()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
        if slow_pid.exists() and slow_pid.read_text().strip():
            os.kill(int(slow_pid.read_text()), signal.SIGKILL)  # orphaned by the kill -9
            assert gone(int(slow_pid.read_text()))
    assert state_rows(tmp_path) == [("quick", "passed")]
    assert state_rows(tmp_path, "select status, verdict from runs") == [("running", None)]
