"""`gonogo signoff`: a human decision is recorded and the run's verdict follows it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.project import project, state_rows

CONFIG = """
phases:
  - id: p
    kind: preflight
    checks:
      - {id: build, run: "true"}
      - {id: flows, title: Critical user flows tested, type: manual}
      - {id: backup, title: Backup verified, type: manual}
"""


def pending_run(root: Path, config: str = CONFIG) -> str:
    project(root, config)
    result = gonogo("check", cwd=root)
    assert result.returncode == 4, result.stdout + result.stderr
    match = re.search(r"PENDING: .* · run (\S+)", result.stdout)
    assert match
    return match.group(1)


def test_pending_then_signoff_then_go(tmp_path: Path) -> None:
    run_id = pending_run(tmp_path)
    first = gonogo("signoff", run_id, "flows", "--by", "alice", "--note", "clicked through", cwd=tmp_path)
    assert (first.returncode, first.stderr) == (4, "")
    assert first.stdout == (
        f"flows: passed — signed off by alice: clicked through\nrun {run_id} is now PENDING\n")
    second = gonogo("signoff", "last", "Backup verif", "--by", "bob", cwd=tmp_path)
    assert (second.returncode, second.stdout) == (
        0, f"backup: passed — signed off by bob\nrun {run_id} is now GO\n")
    assert state_rows(tmp_path, "select verdict, exit_code from runs") == [("GO", 0)]
    assert state_rows(tmp_path, "select check_id, by, decision, note, previous_outcome from signoffs"
                                " order by id") == [
        ("flows", "alice", "approved", "clicked through", "pending"),
        ("backup", "bob", "approved", None, "pending"),
    ]
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert "GO (exit 0)" in shown.stdout.splitlines()[0]


def test_reject_makes_the_run_no_go(tmp_path: Path) -> None:
    run_id = pending_run(tmp_path)
    result = gonogo("signoff", run_id, "flows", "--by", "alice", "--reject", "--note", "checkout 500s",
                    cwd=tmp_path)
    assert (result.returncode, result.stdout) == (
        1, f"flows: failed — rejected by alice: checkout 500s\nrun {run_id} is now NO-GO\n")
    assert state_rows(tmp_path, "select verdict, exit_code from runs") == [("NO-GO", 1)]


def test_waive_needs_expires_and_note(tmp_path: Path) -> None:
    run_id = pending_run(tmp_path)
    cases = [
        (["--waive", "--note", "x"], "gonogo: error: --waive needs --expires DATE: an accepted risk must end\n"),
        (["--waive", "--expires", "2099-01-01"], "gonogo: error: --waive needs --note: say why the risk "
                                                 "is accepted\n"),
        (["--expires", "2099-01-01"], "gonogo: error: --expires goes with --waive\n"),
        (["--waive", "--note", "x", "--expires", "soon"],
         "gonogo: error: --expires 'soon': expected a date like 2026-12-31 or an ISO time\n"),
        (["--waive", "--note", "x", "--expires", "2001-01-01"],
         "gonogo: error: --expires '2001-01-01' is in the past\n"),
    ]
    for args, message in cases:
        result = gonogo("signoff", run_id, "flows", "--by", "alice", *args, cwd=tmp_path)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    assert state_rows(tmp_path, "select count(*) from signoffs") == [(0,)]
    result = gonogo("signoff", run_id, "flows", "--by", "alice", "--waive", "--expires", "2099-01-01",
                    "--note", "tested on staging", cwd=tmp_path)
    assert result.stdout == ("flows: waived — waived by alice: tested on staging "
                             f"(until 2099-01-01T23:59:59+00:00)\nrun {run_id} is now PENDING\n")
    assert result.returncode == 4  # `backup` still awaits a sign-off


def test_approving_a_failed_automated_check_is_refused(tmp_path: Path) -> None:
    project(tmp_path, 'phases:\n  - {id: p, kind: preflight, checks: [{id: build, run: "exit 1"}]}\n')
    run = gonogo("check", cwd=tmp_path)
    assert run.returncode == 1
    result = gonogo("signoff", "last", "build", "--by", "alice", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "gonogo: error: build is an automated check that failed; its evidence cannot be signed "
        "away — use --waive --expires DATE --note WHY to accept the risk\n"
    )
    waived = gonogo("signoff", "last", "build", "--by", "alice", "--waive", "--expires", "2099-01-01",
                    "--note", "known flaky", cwd=tmp_path)
    assert waived.returncode == 0, waived.stderr
    assert state_rows(tmp_path, "select outcome from results") == [("waived",)]


@pytest.mark.parametrize(
    ("run", "item", "message"),
    [
        ("nope", "flows", "gonogo: error: no run 'nope' in {state} (see `gonogo runs`)\n"),
        ("last", "deploy", "gonogo: error: no item 'deploy' in run {run} (pending items: flows, backup)\n"),
    ],
)
def test_unknown_runs_and_items(tmp_path: Path, run: str, item: str, message: str) -> None:
    run_id = pending_run(tmp_path)
    result = gonogo("signoff", run, item, "--by", "alice", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == message.format(state=tmp_path / ".gonogo", run=run_id)
