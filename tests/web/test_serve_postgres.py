"""Two `gonogo serve` processes on one PostgreSQL state: the same runs, the same sign-offs,
and a session made on one is accepted by the other (the signing secret lives in the state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.cli import gonogo
from testing.postgres import fresh_database
from testing.web import add_user, pending_project, serve

pytestmark = pytest.mark.postgres


def test_two_servers_on_one_postgres_state_agree(tmp_path: Path) -> None:
    with fresh_database("gonogo_serve") as url:
        run_id = pending_project(tmp_path, state=f'"{url}"')
        token = add_user(tmp_path, "alice", "approver")
        with serve(tmp_path) as first, serve(tmp_path) as second, \
                first.client(token) as one, second.client(token) as two:
            assert one.get(f"/api/v1/runs/{run_id}").json()["verdict"] == "PENDING"
            assert two.get(f"/api/v1/runs/{run_id}").json()["verdict"] == "PENDING"
            signed = one.post(f"/api/v1/runs/{run_id}/signoffs",
                              json={"item": "flows", "decision": "approve"})
            assert signed.status_code == 201
            seen = two.get(f"/api/v1/runs/{run_id}").json()
            assert seen["verdict"] == "GO"
            assert [s["by"] for s in seen["signoffs"]] == ["alice"]
            with first.client() as browser:
                logged = browser.post("/login", data={"token": token})
                assert logged.status_code == 303
                cookie = browser.cookies.get("gonogo_session")
            with second.client() as other:
                other.cookies.set("gonogo_session", cookie or "")
                page = other.get(f"/runs/{run_id}")
                assert page.status_code == 200 and 'id="verdict">GO<' in page.text
            assert two.get("/api/v1/environments/default/status").status_code == 200
        shown = gonogo("show", run_id, cwd=tmp_path)
        assert shown.stdout.splitlines()[0] == f"run {run_id} · check · GO (exit 0)"
