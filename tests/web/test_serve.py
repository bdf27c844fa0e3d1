"""`gonogo serve` against a real uvicorn server on 127.0.0.1 (SQLite state), driven with
httpx the way a browser, a monitor or a CI job would."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import httpx

from testing.cli import gonogo
from testing.web import OS_USER, add_user, pending_project, serve


def test_no_identity_is_401_and_the_wrong_role_403(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    viewer = add_user(tmp_path, "vic", "viewer")
    with serve(tmp_path) as server, server.client() as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        page = anonymous.get("/")
        assert page.status_code == 401 and 'name="token"' in page.text
        api = anonymous.get("/api/v1/runs")
        assert (api.status_code, api.json()["error"]) == (
            401, "not signed in: log in with your token, or send Authorization: Bearer TOKEN")
        assert anonymous.get("/metrics").status_code == 401
        posted = anonymous.post(f"/api/v1/runs/{run_id}/signoffs",
                                json={"item": "flows", "decision": "approve"})
        assert posted.status_code == 401
        forged = anonymous.get("/", headers={"Authorization": "Bearer gng_forged"})
        assert forged.status_code == 401
        with server.client(viewer) as vic:
            assert vic.get(f"/runs/{run_id}").status_code == 200
            refused = vic.post(f"/api/v1/runs/{run_id}/signoffs",
                               json={"item": "flows", "decision": "approve"})
            assert (refused.status_code, refused.json()["error"]) == (
                403, "vic is a viewer and cannot sign off (approver, deployer or admin can)")
    assert "PENDING (exit 4)" in gonogo("show", run_id, cwd=tmp_path).stdout


def test_api_signoff_records_the_identity_and_the_cli_sees_it(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    token = add_user(tmp_path, "alice", "approver")
    with serve(tmp_path) as server, server.client(token) as alice:
        status = alice.get("/api/v1/environments/default/status")
        assert (status.status_code, status.json()["verdict"]) == (503, "PENDING")
        signed = alice.post(f"/api/v1/runs/{run_id}/signoffs",
                            json={"item": "flows", "decision": "approve", "note": "clicked"})
        assert signed.status_code == 201, signed.text
        body = signed.json()
        assert (body["run_id"], body["verdict"], body["exit_code"]) == (run_id, "GO", 0)
        flows = next(c for c in body["checks"] if c["id"] == "flows")
        assert flows["outcome"] == "passed"
        assert flows["signoffs"][0]["by"] == "alice"
        status = alice.get("/api/v1/environments/default/status")
        assert (status.status_code, status.json()["verdict"]) == (200, "GO")
        one = alice.get(f"/api/v1/runs/{run_id}").json()
        assert set(one) >= {"run_id", "verdict", "exit_code", "started_at", "finished_at",
                            "checks"}
        listed = alice.get("/api/v1/runs").json()
        assert [r["run_id"] for r in listed["runs"]] == [run_id]
        audit = alice.get("/audit.jsonl", params={"action": "sign-off"})
        rows = [json.loads(line) for line in audit.text.splitlines()]
        assert [(r["actor"], r["run_id"], r["target"], r["source"]) for r in rows] == [
            ("alice", run_id, "flows", "web (bearer) from 127.0.0.1")]
        metrics = alice.get("/metrics").text
        assert 'gonogo_runs_total{command="check",verdict="GO"} 1.0' in metrics
        assert 'gonogo_last_verdict{environment="default",verdict="GO"} 1.0' in metrics
        assert "gonogo_time_to_signoff_seconds_count 1.0" in metrics
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert shown.stdout.splitlines()[0] == f"run {run_id} · check · GO (exit 0)"


def test_self_approval_is_refused_and_a_waiver_needs_expiry_and_note(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    starter = add_user(tmp_path, OS_USER, "admin")
    with serve(tmp_path) as server, server.client(starter) as me:
        own = me.post(f"/api/v1/runs/{run_id}/signoffs", json={"item": "flows",
                                                              "decision": "approve"})
        assert (own.status_code, own.json()["error"]) == (
            403, f"{OS_USER} started run {run_id} and cannot approve its items (four-eyes; "
                 "`allow_self_approval: true` in the config opts out)")
        bare = me.post(f"/api/v1/runs/{run_id}/signoffs", json={"item": "flows",
                                                               "decision": "waive"})
        assert bare.status_code == 400 and "a waiver needs an expiry and a note" in bare.text
        rejected = me.post(f"/api/v1/runs/{run_id}/signoffs",
                           json={"item": "flows", "decision": "reject", "note": "broken"})
        assert rejected.status_code == 201 and rejected.json()["verdict"] == "NO-GO"


def test_login_cookie_csrf_and_rate_limit(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    token = add_user(tmp_path, "alice", "approver")
    with serve(tmp_path) as server, server.client() as browser:
        logged = browser.post("/login", data={"token": token, "next": f"/runs/{run_id}"})
        assert logged.status_code == 303 and logged.headers["location"] == f"/runs/{run_id}"
        cookie = logged.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
        assert token not in cookie
        page = browser.get(f"/runs/{run_id}")
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script>window.pwned" not in page.text
        assert "&lt;script&gt;window.pwned=2&lt;/script&gt;" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        no_csrf = browser.post(f"/runs/{run_id}/signoffs",
                               data={"item": "flows", "decision": "approve"})
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
        api_no_csrf = browser.post(f"/api/v1/runs/{run_id}/signoffs",
                                   json={"item": "flows", "decision": "approve"})
        assert api_no_csrf.status_code == 403
        assert "PENDING" in gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()[0]
        signed = browser.post(f"/runs/{run_id}/signoffs",
                              data={"item": "flows", "decision": "approve", "csrf": csrf})
        assert signed.status_code == 303
        assert "GO (exit 0)" in gonogo("show", run_id, cwd=tmp_path).stdout.splitlines()[0]
    with serve(tmp_path) as server, server.client() as guesser:
        codes = [guesser.post("/login", data={"token": f"gng_guess{i}"}).status_code
                 for i in range(6)]
        assert codes == [401] * 5 + [429]
        assert guesser.post("/login", data={"token": token}).status_code == 429


def test_a_trusted_proxys_user_header_and_only_from_it(tmp_path: Path) -> None:
    pending_project(tmp_path)
    add_user(tmp_path, "alice", "approver")
    header = {"X-Forwarded-User": "alice"}
    with serve(tmp_path, "--trust-proxy-header", "X-Forwarded-User",
               "--trusted-proxy", "127.0.0.1") as server, server.client() as proxied:
        page = proxied.get("/", headers=header)
        assert page.status_code == 200 and "alice <small>(approver)</small>" in page.text
        assert proxied.get("/", headers={"X-Forwarded-User": "mallory"}).status_code == 401
    with serve(tmp_path, "--trust-proxy-header", "X-Forwarded-User",
               "--trusted-proxy", "10.9.9.9") as server, server.client() as direct:
        assert direct.get("/", headers=header).status_code == 401
    refused = gonogo("serve", "--trust-proxy-header", "X-Forwarded-User", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith(
        "--trust-proxy-header needs --trusted-proxy ADDRESS: a user header is believed only "
        "from the proxy that sets it")


def test_runs_list_filters_and_pages(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    gonogo("signoff", run_id, "flows", "--by", "bob", cwd=tmp_path)
    second = gonogo("check", "--report", "json:-", cwd=tmp_path)
    assert second.returncode == 4
    token = add_user(tmp_path, "alice", "viewer")
    with serve(tmp_path) as server, server.client(token) as alice:
        go = alice.get("/api/v1/runs", params={"verdict": "GO"}).json()
        assert [r["run_id"] for r in go["runs"]] == [run_id]
        pending = alice.get("/runs", params={"verdict": "PENDING"})
        assert "Runs <small>1</small>" in pending.text and run_id not in pending.text
        bad = alice.get("/runs", params={"since": "yesterday"})
        assert bad.status_code == 400
        assert "since: expected a date like 2026-12-01, got &#39;yesterday&#39;" in bad.text
        overview = alice.get("/").text
        assert "Awaiting sign-off" in overview and "Critical user flows tested" in overview
        listed = alice.get("/checklist").text
        row = listed.split('<a href="#L9">9</a>', 1)[1].split("</tr>", 1)[0]
        assert "<td>Critical user flows tested</td><td>pre</td>\n<td>manual</td>" in row
        assert '<li id="L9">      - {id: flows, title: Critical user flows tested' in listed


def test_the_run_stream_sends_an_event_when_the_cli_signs(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    token = add_user(tmp_path, "alice", "viewer")
    events: list[str] = []
    with serve(tmp_path) as server:
        def listen() -> None:
            with httpx.stream("GET", f"{server.url}/runs/{run_id}/events", timeout=20,
                              headers={"Authorization": f"Bearer {token}"}) as stream:
                for line in stream.iter_lines():
                    events.append(line)
                    if line.startswith("data:"):
                        return

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(1.0)
        assert gonogo("signoff", run_id, "flows", "--by", "bob", cwd=tmp_path).returncode == 0
        listener.join(timeout=20)
    assert "event: update" in events
    data = json.loads(next(e for e in events if e.startswith("data:"))[5:])
    assert (data["run_id"], data["verdict"]) == (run_id, "GO")


def test_a_taken_port_is_a_one_line_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = gonogo("serve", "--port", str(port), cwd=tmp_path, timeout=20)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"gonogo: error: cannot listen on 127.0.0.1:{port}: "
                             "Address already in use\n")
