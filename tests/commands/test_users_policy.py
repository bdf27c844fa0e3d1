"""Identity and sign-off rules: `gonogo users` issues hashed tokens; four-eyes, `approvals: N`
and `signoff_within` hold for sign-offs from the command line; every action leaves an audit
row with who, when and from where."""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import time
from pathlib import Path

from testing.cli import gonogo
from testing.http_server import Route
from testing.http_server import serve as receiver_on
from testing.project import project, state_rows
from testing.web import serve

OS_USER = pwd.getpwuid(os.geteuid()).pw_name
HOST = socket.gethostname()


def config(extra: str = "", manual: str = "") -> str:
    return f"""
version: 1
name: shop
{extra}
phases:
  - id: pre
    kind: preflight
    checks:
      - {{id: build, run: "true"}}
      - {{id: flows, title: Critical user flows tested, type: manual{manual}}}
"""


def pending_run(root: Path) -> str:
    result = gonogo("check", cwd=root)
    assert result.returncode == 4, result.stdout + result.stderr
    return str(state_rows(root, "select id from runs order by started_at desc limit 1")[0][0])


def test_users_add_prints_the_token_alone_and_stores_only_its_hash(tmp_path: Path) -> None:
    project(tmp_path, config())
    added = gonogo("users", "add", "alice", "--role", "approver", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert added.stdout == token + "\n" and re.fullmatch(r"gng_[A-Za-z0-9_-]{43}", token)
    database = (tmp_path / ".gonogo" / "state.db").read_bytes()
    assert token.encode() not in database
    assert oct((tmp_path / ".gonogo" / "state.db").stat().st_mode & 0o777) == "0o600"
    again = gonogo("users", "add", "alice", "--role", "viewer", cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr.strip().endswith(
        "user 'alice' exists; `gonogo users revoke alice` first to issue a new token")
    bad = gonogo("users", "add", "bob", "--role", "root", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid choice: 'root'" in bad.stderr
    listed = gonogo("users", "list", cwd=tmp_path)
    assert listed.stdout.startswith("alice\tapprover\tactive\tcreated ")
    assert listed.stdout.rstrip().endswith(f"by {OS_USER}")
    revoked = gonogo("users", "revoke", "alice", cwd=tmp_path)
    assert (revoked.returncode, revoked.stdout) == (0, "revoked the token of alice\n")
    assert "\trevoked " in gonogo("users", "list", cwd=tmp_path).stdout
    audit = state_rows(tmp_path, "select action, actor, target, source from audit order by id")
    assert audit == [("token-created", OS_USER, "alice", f"cli on {HOST}"),
                     ("token-revoked", OS_USER, "alice", f"cli on {HOST}")]


def test_four_eyes_refuses_the_runs_starter_unless_the_config_allows_it(tmp_path: Path) -> None:
    project(tmp_path, config())
    run_id = pending_run(tmp_path)
    own = gonogo("signoff", run_id, "flows", "--by", OS_USER, cwd=tmp_path)
    assert own.returncode == 2
    assert own.stderr.strip() == (
        f"gonogo: error: {OS_USER} started run {run_id} and cannot approve its items "
        "(four-eyes; `allow_self_approval: true` in the config opts out)")
    assert gonogo("signoff", run_id, "flows", "--by", "bob", cwd=tmp_path).returncode == 0

    project(tmp_path, config("allow_self_approval: true"))
    run_id = pending_run(tmp_path)
    assert gonogo("signoff", run_id, "flows", "--by", OS_USER, cwd=tmp_path).returncode == 0


def test_approvals_needs_distinct_people(tmp_path: Path) -> None:
    project(tmp_path, config("approvals: 2"))
    run_id = pending_run(tmp_path)
    first = gonogo("signoff", run_id, "flows", "--by", "alice", cwd=tmp_path)
    assert first.returncode == 4
    assert first.stdout.splitlines() == [
        "flows: pending — signed off by alice (1 of 2 approvals)", f"run {run_id} is now PENDING"]
    same = gonogo("signoff", run_id, "flows", "--by", "Alice", cwd=tmp_path)
    assert same.returncode == 4 and "(1 of 2 approvals)" in same.stdout
    second = gonogo("signoff", run_id, "flows", "--by", "bob", cwd=tmp_path)
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1] == f"run {run_id} is now GO"


def test_a_manual_item_may_ask_for_more_approvals_than_the_config(tmp_path: Path) -> None:
    project(tmp_path, config(manual=", approvals: 3"))
    run_id = pending_run(tmp_path)
    for name in ("alice", "bob"):
        assert gonogo("signoff", run_id, "flows", "--by", name, cwd=tmp_path).returncode == 4
    assert gonogo("signoff", run_id, "flows", "--by", "carol", cwd=tmp_path).returncode == 0


def test_a_pending_item_fails_the_run_after_the_signoff_deadline(tmp_path: Path) -> None:
    project(tmp_path, config("signoff_within: 1s"))
    run_id = pending_run(tmp_path)
    time.sleep(1.5)
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert shown.stdout.splitlines()[0] == f"run {run_id} · check · NO-GO (exit 1)"
    assert "no sign-off by the deadline" in shown.stdout
    late = gonogo("signoff", run_id, "flows", "--by", "bob", cwd=tmp_path)
    assert late.returncode == 2 and "the sign-off deadline" in late.stderr
    assert state_rows(tmp_path, "select verdict from runs") == [("NO-GO",)]


def test_gonogo_runs_says_no_go_for_a_run_past_its_deadline(tmp_path: Path) -> None:
    project(tmp_path, config("signoff_within: 1s"))
    run_id = pending_run(tmp_path)
    time.sleep(1.5)
    listed = gonogo("runs", cwd=tmp_path)  # the first to look at it since its deadline
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if line.startswith(run_id))
    assert row.split()[1:4] == ["check", "-", "NO-GO"]
    assert row.endswith("1 passed, 1 failed")
    as_json = json.loads(gonogo("runs", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["run_id"], r["verdict"], r["exit_code"]) for r in as_json] == [(run_id, "NO-GO", 1)]
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0] == f"run {run_id} · check · NO-GO (exit 1)"
    assert state_rows(tmp_path, "select verdict, exit_code from runs") == [("NO-GO", 1)]


def test_every_action_has_an_audit_row(tmp_path: Path) -> None:
    project(tmp_path, config())
    run_id = pending_run(tmp_path)
    gonogo("signoff", run_id, "flows", "--by", "bob", "--reject", "--note", "broken", cwd=tmp_path)
    gonogo("signoff", run_id, "flows", "--by", "carol", "--waive", "--note", "known",
           "--expires", "2099-01-01", cwd=tmp_path)
    rows = state_rows(tmp_path, "select action, actor, run_id, source from audit order by id")
    assert rows == [("check", OS_USER, run_id, f"cli on {HOST}"),
                    ("run-finished", OS_USER, run_id, f"cli on {HOST}"),
                    ("reject", "bob", run_id, f"cli on {HOST}"),
                    ("waiver", "carol", run_id, f"cli on {HOST}")]


def test_a_pending_run_notifies_with_a_link_to_its_signoff_page(tmp_path: Path) -> None:
    received: list[dict[str, str]] = []

    def receiver(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        received.append(json.loads(body))
        return Route(200, "ok")

    with receiver_on({"/hook": receiver}) as hook:
        notify = f'notify: ["json://127.0.0.1:{hook.port}/hook"]'
        project(tmp_path, config(notify + "\npublic_url: https://gonogo.example.com/"))
        run_id = pending_run(tmp_path)
        assert received[-1]["title"] == "shop: PENDING sign-off"
        assert received[-1]["message"] == (
            f"run {run_id} awaits sign-off of flows: https://gonogo.example.com/runs/{run_id}")

        project(tmp_path, config(notify))  # no public_url: the one `serve` was started with
        with serve(tmp_path, "--public-url", "https://ops.example.com/gonogo"):
            pass
        run_id = pending_run(tmp_path)
        assert received[-1]["message"] == (
            f"run {run_id} awaits sign-off of flows: https://ops.example.com/gonogo/runs/{run_id}")
