"""`gonogo signoff`: a human decision is recorded and the run's verdict follows it."""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.project import project, state_rows

OS_USER = pwd.getpwuid(os.geteuid()).pw_name
HOST = socket.gethostname()

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


def _history(shown: str, item: str) -> list[str]:
    """The sign-off lines `show` prints under one item, without their timestamps."""
    lines = shown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  ") and
                 line.split()[1] == f"{item}:")
    head = lines.index("      sign-offs (oldest first; the last one decides):", start)
    out = []
    for line in lines[head + 1:]:
        if not line.startswith("        "):
            break
        out.append(line.strip().split(" ", 1)[1])
    return out


def test_signoffs_are_append_only_and_the_latest_decides(tmp_path: Path) -> None:
    run_id = pending_run(tmp_path)
    assert gonogo("signoff", run_id, "backup", "--by", "carol", cwd=tmp_path).returncode == 4
    approved = gonogo("signoff", run_id, "flows", "--by", "alice", "--note", "clicked through",
                      cwd=tmp_path)
    assert approved.stdout.endswith(f"run {run_id} is now GO\n")
    # a later rejection by another person is a new decision, not a rewrite of the first
    rejected = gonogo("signoff", run_id, "flows", "--by", "bob", "--reject", "--note",
                      "checkout 500s", cwd=tmp_path)
    assert (rejected.returncode, rejected.stdout) == (
        1, f"flows: failed — rejected by bob: checkout 500s\nrun {run_id} is now NO-GO\n")
    assert state_rows(tmp_path, "select check_id, by, decision, note, previous_outcome "
                                "from signoffs order by id") == [
        ("backup", "carol", "approved", None, "pending"),
        ("flows", "alice", "approved", "clicked through", "pending"),
        ("flows", "bob", "rejected", "checkout 500s", "passed"),
    ]
    shown = gonogo("show", run_id, cwd=tmp_path).stdout
    who = f"(os user {OS_USER}@{HOST})"
    assert _history(shown, "flows") == [
        f"flows: approved by alice {who} — clicked through",
        f"flows: rejected by bob {who} — checkout 500s",
    ]
    assert "  ✗ flows: Critical user flows tested — failed, 0.00s" in shown.splitlines()

    report = json.loads(gonogo("report", run_id, "--format", "json", cwd=tmp_path).stdout)
    flows = next(c for c in report["checks"] if c["id"] == "flows")
    assert flows["outcome"] == "failed"
    assert [(s["by"], s["decision"], s["note"]) for s in flows["signoffs"]] == [
        ("alice", "approved", "clicked through"), ("bob", "rejected", "checkout 500s")]
    markdown = gonogo("report", run_id, "--format", "markdown", cwd=tmp_path).stdout
    assert [line.split(" | ")[1:4] for line in markdown.splitlines()
            if line.startswith("| 20")] == [
        ["backup", "approved", f"carol {who}"], ["flows", "approved", f"alice {who}"],
        ["flows", "rejected", f"bob {who}"]]
    html = gonogo("report", run_id, "--format", "html", cwd=tmp_path).stdout
    assert html.index("flows: approved by alice") < html.index("flows: rejected by bob")

    # and a third decision, the latest again, decides
    again = gonogo("signoff", run_id, "flows", "--by", "dave", "--note", "fixed and re-tested",
                   cwd=tmp_path)
    assert (again.returncode, again.stdout.splitlines()[-1]) == (0, f"run {run_id} is now GO")
    assert len(_history(gonogo("show", run_id, cwd=tmp_path).stdout, "flows")) == 3


def test_a_rejected_automated_check_that_passed_can_be_approved_again(tmp_path: Path) -> None:
    run_id = pending_run(tmp_path)
    gonogo("signoff", run_id, "flows", "--by", "alice", cwd=tmp_path)
    gonogo("signoff", run_id, "backup", "--by", "alice", cwd=tmp_path)
    rejected = gonogo("signoff", run_id, "build", "--by", "bob", "--reject", "--note",
                      "built the wrong commit", cwd=tmp_path)
    assert rejected.returncode == 1
    # the check itself passed: what may be approved follows its evidence, not bob's decision
    approved = gonogo("signoff", run_id, "build", "--by", "carol", "--note", "right commit",
                      cwd=tmp_path)
    assert (approved.returncode, approved.stderr, approved.stdout) == (
        0, "", f"build: passed — signed off by carol: right commit\nrun {run_id} is now GO\n")


def test_approval_stays_refused_for_a_failed_check_after_a_waiver(tmp_path: Path) -> None:
    project(tmp_path, 'phases:\n  - {id: p, kind: preflight, checks: [{id: build, run: "exit 1"}]}\n')
    assert gonogo("check", cwd=tmp_path).returncode == 1
    waived = gonogo("signoff", "last", "build", "--by", "alice", "--waive", "--expires",
                    "2099-01-01", "--note", "known flaky", cwd=tmp_path)
    assert waived.returncode == 0
    rejected = gonogo("signoff", "last", "build", "--by", "bob", "--reject", cwd=tmp_path)
    assert rejected.returncode == 1
    approved = gonogo("signoff", "last", "build", "--by", "carol", cwd=tmp_path)
    assert (approved.returncode, approved.stderr) == (2, (
        "gonogo: error: build is an automated check that failed; its evidence cannot be signed "
        "away — use --waive --expires DATE --note WHY to accept the risk\n"))
    assert state_rows(tmp_path, "select by, decision from signoffs order by id") == [
        ("alice", "waived"), ("bob", "rejected")]
    assert state_rows(tmp_path, "select outcome from results") == [("failed",)]
