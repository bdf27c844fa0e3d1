"""The dashboard in a real browser (Playwright + Debian's Chromium) against a real
`gonogo serve`: signing off in the page, a run page following a running `gonogo check`,
markup in output shown as text, refused posts, and the roles and four-eyes rules.
Screenshots land in build/test-artifacts/browser/."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from testing.browser import browser, log_in, screenshot
from testing.cli import gonogo
from testing.project import project, state_rows
from testing.web import OS_USER, add_user, pending_project, serve

SLOW = """
version: 1
name: shop
phases:
  - id: pre
    kind: preflight
    checks:
      - {id: quick, run: "true"}
      - {id: slow, title: Slow build, run: "sleep 4", needs: [quick]}
      - {id: flows, title: Critical user flows tested, type: manual}
"""


def test_a_pending_run_signed_off_in_the_page_is_go_for_the_cli(tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    token = add_user(tmp_path, "alice", "approver")
    with serve(tmp_path) as server, browser() as chrome:
        page = chrome.new_page(viewport={"width": 1100, "height": 900})
        log_in(page, server.url, token, f"/runs/{run_id}")
        assert page.inner_text("#verdict") == "PENDING"
        # the markup in the build's output is text: nothing it holds ran
        assert page.evaluate("window.pwned === undefined")
        assert "<script>window.pwned=2</script>" in page.inner_text("#item-build")
        form = page.locator("#item-flows form.signoff")
        form.locator("select[name=decision]").select_option("approve")
        form.locator("input[name=note]").fill("checkout works")
        screenshot(page, "run-pending")
        form.locator("button[type=submit]").click()
        page.wait_for_url(f"{server.url}/runs/{run_id}")
        assert page.inner_text("#verdict") == "GO"
        assert "approved by alice — checkout works" in page.inner_text("#item-flows")
        screenshot(page, "run-signed")
    shown = gonogo("show", run_id, cwd=tmp_path)
    assert shown.stdout.splitlines()[0] == f"run {run_id} · check · GO (exit 0)"


def test_the_run_page_follows_a_running_check(tmp_path: Path) -> None:
    project(tmp_path, SLOW)
    token = add_user(tmp_path, "alice", "viewer")
    with serve(tmp_path) as server, browser() as chrome:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONOGO_")}
        check = subprocess.Popen([sys.executable, "-m", "gonogo", "check"], cwd=tmp_path,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            run_id = _first_run(tmp_path)
            page = chrome.new_page(viewport={"width": 1100, "height": 900})
            log_in(page, server.url, token, f"/runs/{run_id}")
            assert page.locator("#item-slow").count() == 0  # still running
            page.locator("#item-slow .outcome").wait_for(timeout=20_000)
            assert page.inner_text("#item-slow .outcome") == "passed"
            page.wait_for_function("document.getElementById('verdict').textContent === 'PENDING'",
                                   timeout=20_000)
            assert int(page.get_attribute("#live", "data-updates") or "0") >= 1  # not a reload
            screenshot(page, "run-live")
        finally:
            assert check.wait(timeout=60) == 4


def test_unauthenticated_csrf_less_viewer_and_self_approval_posts_are_refused(
        tmp_path: Path) -> None:
    run_id = pending_project(tmp_path)
    viewer = add_user(tmp_path, "vic", "viewer")
    starter = add_user(tmp_path, OS_USER, "admin")
    with serve(tmp_path) as server, browser() as chrome:
        anonymous = chrome.new_page()
        response = anonymous.goto(f"{server.url}/runs/{run_id}")
        assert response is not None and response.status == 401
        assert anonymous.locator("input[name=token]").count() == 1
        status = anonymous.evaluate(
            """url => fetch(url, {method: 'POST', body: new URLSearchParams(
                   {item: 'flows', decision: 'approve'})}).then(r => r.status)""",
            f"{server.url}/runs/{run_id}/signoffs")
        assert status == 401

        vic = chrome.new_context().new_page()
        log_in(vic, server.url, viewer, f"/runs/{run_id}")
        assert vic.locator("form.signoff").count() == 0  # a viewer is offered no button
        status = vic.evaluate(
            """url => fetch(url, {method: 'POST', body: new URLSearchParams(
                   {item: 'flows', decision: 'approve'})}).then(r => r.status)""",
            f"{server.url}/runs/{run_id}/signoffs")
        assert status == 403

        me = chrome.new_context().new_page()
        log_in(me, server.url, starter, f"/runs/{run_id}")
        no_csrf = me.evaluate(
            """url => fetch(url, {method: 'POST', body: new URLSearchParams(
                   {item: 'flows', decision: 'approve'})}).then(r => r.status)""",
            f"{server.url}/runs/{run_id}/signoffs")
        assert no_csrf == 403
        form = me.locator("#item-flows form.signoff")
        form.locator("select[name=decision]").select_option("approve")
        form.locator("button[type=submit]").click()
        me.locator("#error").wait_for()
        assert me.inner_text("#error") == (
            f"{OS_USER} started run {run_id} and cannot approve its items (four-eyes; "
            "`allow_self_approval: true` in the config opts out)")
        screenshot(me, "self-approval-refused")
    assert state_rows(tmp_path, "select count(*) from signoffs") == [(0,)]
    assert "PENDING (exit 4)" in gonogo("show", run_id, cwd=tmp_path).stdout


def _first_run(root: Path) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            rows = state_rows(root, "select id from runs")
        except Exception:  # the state is being created
            rows = []
        if rows:
            return str(rows[0][0])
        time.sleep(0.05)
    raise AssertionError("gonogo check recorded no run within 30s")
