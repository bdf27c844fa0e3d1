"""`gonogo check` never runs a check type that changes state (record, notify, docker.push,
postgres.backup, postgres.restore_verify), whatever phase it sits in — also in a
gonogo.yml `verify` phase — and `explain` says what check would run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from gonogo.plugins import check_types
from testing.cli import gonogo, write
from testing.project import project, state_rows


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.server_port}/hook", seen
    server.shutdown()
    server.server_close()


def test_record_and_notify_in_a_verify_phase_are_skipped_not_run(
    tmp_path: Path, listener: tuple[str, list[str]]
) -> None:
    url, seen = listener
    outside = tmp_path / "outside"
    outside.mkdir()
    project(tmp_path / "p", f"""
        phases:
          - id: ver
            kind: verify
            checks:
              - {{id: up, run: "true"}}
              - {{id: status, type: record, path: {outside}/status.md}}
              - {{id: tell, type: notify, urls: ["{url}"]}}
    """)
    result = gonogo("check", cwd=tmp_path / "p")
    assert result.returncode == 0, result.stdout + result.stderr
    reason = "changes state; not run by check — runs only under `gonogo deploy`"
    assert f"  ↷ record: a row in {outside}/status.md (advisory) [ver] 0.0s — {reason}\n" in result.stdout
    assert f"  ↷ notify: 1 target (json) (advisory) [ver] 0.0s — {reason}\n" in result.stdout
    assert "\nGO: 1 passed, 2 skipped · run " in result.stdout
    assert list(outside.iterdir()) == []
    assert seen == []
    assert sorted(state_rows(tmp_path / "p")) == [("status", "skipped"), ("tell", "skipped"), ("up", "passed")]


def test_a_check_whose_every_check_changes_state_is_a_usage_error(tmp_path: Path) -> None:
    project(tmp_path, """
        phases:
          - {id: pre, kind: preflight, checks: [{id: status, type: record, path: status.md}]}
    """)
    result = gonogo("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "nothing to check: every selected check changes state and runs only under "
        "`gonogo deploy`: status (record)")
    assert not (tmp_path / "status.md").exists()


def test_which_check_types_change_state() -> None:
    changing = sorted(name for name, cls in check_types().items() if cls.changes_state)
    assert changing == ["docker.push", "notify", "postgres.backup", "postgres.restore_verify", "record"]


DOC = """# Release

## Pre-deployment

```bash
npm test
rm -rf dist  # gonogo: allow
git push origin main
```

- [ ] Update deployment status in `docs/status.md`

## Team notes

- [ ] Tell the team

## Deploy

```bash
./deploy.sh
```
"""


def test_explain_says_what_check_would_run(tmp_path: Path) -> None:
    write(tmp_path / "c.md", DOC)
    result = gonogo("explain", "c.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\npre-deployment (preflight; check runs it)\n" in out
    assert "  L6   $ npm test\n       → would run: command {run: npm test}\n" in out
    assert "  L7   $ rm -rf dist\n       → would run (opted in): command {run: rm -rf dist}\n" in out
    assert ("  L8   $ git push origin main\n       → manual: `git push` may change something; not run "
            "by check — annotate with <!-- gonogo: {run: …} --> or `# gonogo: allow` to run it\n") in out
    assert ("  L11  Update deployment status in `docs/status.md`\n       → not run by check (changes state): "
            "record {path: docs/status.md}") in out
    assert ("  L15  Tell the team\n       → manual: the heading 'Team notes' names no phase gonogo knows, "
            "so nothing in it runs; sign it off, or annotate the section "
            "(<!-- gonogo-phase: {kind: preflight} -->) or the item\n") in out
    assert "\ndeploy (deploy; not run by check)\n" in out


def test_explain_json_says_what_check_would_run(tmp_path: Path) -> None:
    write(tmp_path / "c.md", DOC)
    result = gonogo("explain", "c.md", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    checks = {c["text"]: c["check"] for c in json.loads(result.stdout)["checks"]}
    assert checks["npm test"] == {"runs": True, "why": "would run"}
    assert checks["rm -rf dist"] == {"runs": True, "why": "would run (opted in)"}
    assert checks["git push origin main"]["runs"] is False
    assert checks["git push origin main"]["why"].startswith("manual: `git push` may change something")
    assert checks["Update deployment status in `docs/status.md`"] == {
        "runs": False, "why": "changes state; not run by check — runs only under `gonogo deploy`"}
    assert checks["./deploy.sh"] == {"runs": False, "why": "a deploy phase: not run by check"}
