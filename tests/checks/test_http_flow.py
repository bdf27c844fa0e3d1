"""``http.flow``: log in, take the token, call an authorized endpoint, log out — against a
real HTTP server; captured secrets never appear in what the user sees."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from gonogo.redact import Redactor
from testing.checks import run_check
from testing.http_server import Route, Server, serve

TOKEN = "eyJhbGciOiJIUzI1NiJ9.smoke-user-token"
SESSION = "sess-7f3a9c1e5b2d4f60"
PASSWORD = "correct horse battery staple"


def login(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
    data = json.loads(body or b"{}")
    if data != {"email": "smoke@example.com", "password": PASSWORD}:
        return Route(401, json.dumps({"error": "bad credentials"}))
    return Route(200, json.dumps({"access_token": TOKEN, "user": {"id": 7}}),
                 {"Content-Type": "application/json", "Set-Cookie": f"session={SESSION}; Path=/"})


def me(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
    if headers.get("Authorization") != f"Bearer {TOKEN}":
        return Route(401, json.dumps({"error": f"token {headers.get('Authorization')} rejected"}))
    if f"session={SESSION}" not in headers.get("Cookie", ""):
        return Route(401, "no session")
    return Route(200, json.dumps({"email": "smoke@example.com"}), {"Content-Type": "application/json"})


@pytest.fixture
def api() -> Iterator[Server]:
    with serve({"/auth/login": login, "/me": me, "/auth/logout": Route(204, "")}) as server:
        yield server


def flow(url: str, token: str = "${token}") -> dict[str, object]:
    return {"steps": [
        {"name": "login", "request": {"method": "POST", "url": f"{url}/auth/login",
                                      "json": {"email": "smoke@example.com",
                                               "password": "${SMOKE_PASSWORD}"}},
         "expect": {"status": 200}, "capture": {"token": "$.access_token", "user_id": "$.user.id"}},
        {"name": "me", "request": {"url": f"{url}/me", "headers": {"Authorization": f"Bearer {token}"}},
         "expect": {"status": 200, "json": {"$.email": "smoke@example.com"}}},
        {"request": {"method": "POST", "url": f"{url}/auth/logout"}, "expect": {"status": 204}},
    ]}


def redactor() -> Redactor:
    r = Redactor()
    r.add("SMOKE_PASSWORD", PASSWORD)
    return r


def test_login_then_an_authorized_call_then_logout(tmp_path: Path, api: Server) -> None:
    result, _ = run_check("http.flow", flow(api.url), tmp_path, env={"SMOKE_PASSWORD": PASSWORD},
                          redactor=redactor())
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, "3 steps passed: 1 (login) 200 → 2 (me) 200 → 3 (POST /auth/logout) 204")
    assert [s["captured"] for s in result.evidence["steps"]] == [["token", "user_id"], [], []]
    assert TOKEN not in json.dumps(result.evidence)


def test_a_rejected_token_fails_the_step_and_the_token_stays_secret(tmp_path: Path, api: Server) -> None:
    spec = flow(api.url)
    spec["steps"][0]["capture"] = {"token": "$.user.id"}  # type: ignore[index]
    result, _ = run_check("http.flow", spec, tmp_path, env={"SMOKE_PASSWORD": PASSWORD},
                          redactor=redactor())
    assert (result.outcome, result.summary) == (Outcome.FAILED, "step 2 (me): HTTP 401, expected 200")
    assert result.evidence["steps"][1]["body_excerpt"] == '{"error": "token Bearer 7 rejected"}'


def test_the_captured_token_is_redacted_wherever_it_is_echoed(tmp_path: Path, api: Server) -> None:
    with serve({"/auth/login": login, "/me": lambda m, p, b, h: Route(200, f"you sent {h.get('Authorization')}"),
                "/auth/logout": Route(204, "")}) as echo:
        spec = flow(echo.url)
        spec["steps"][1]["expect"] = {"status": 200, "body_contains": "admin"}  # type: ignore[index]
        result, _ = run_check("http.flow", spec, tmp_path, env={"SMOKE_PASSWORD": PASSWORD},
                              redactor=redactor())
    assert (result.outcome, result.summary) == (Outcome.FAILED, "step 2 (me): body does not contain 'admin'")
    assert result.evidence["steps"][1]["body_excerpt"] == "you sent Bearer [REDACTED:token]"


def test_wrong_credentials_fail_the_login_step(tmp_path: Path, api: Server) -> None:
    result, _ = run_check("http.flow", flow(api.url), tmp_path, env={"SMOKE_PASSWORD": "nope"})
    assert (result.outcome, result.summary) == (Outcome.FAILED, "step 1 (login): HTTP 401, expected 200")


def test_a_cookie_capture_and_a_missing_capture(tmp_path: Path, api: Server) -> None:
    steps = {"steps": [{"request": {"method": "POST", "url": f"{api.url}/auth/login",
                                    "json": {"email": "smoke@example.com", "password": PASSWORD}},
                        "capture": {"sid": "cookie:session", "refresh": "$.refresh_token"}}]}
    result, _ = run_check("http.flow", steps, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "step 1 (POST /auth/login): capture refresh: $.refresh_token is missing "
                        "from the JSON body")


def test_an_undefined_variable_names_what_was_captured(tmp_path: Path, api: Server) -> None:
    result, _ = run_check("http.flow", flow(api.url, token="${tokn}"), tmp_path,
                          env={"SMOKE_PASSWORD": PASSWORD})
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, "step 2 (me): undefined variable ${tokn} (captured so far: token, user_id)")


def test_the_loader_leaves_steps_for_run_time(tmp_path: Path, api: Server) -> None:
    from testing.engine import run_config

    results, _ = run_config(tmp_path, f"""
        environments:
          production:
            vars: {{api: "{api.url}", SMOKE_PASSWORD: "{PASSWORD}"}}
        phases:
          - id: verify
            kind: verify
            checks:
              - id: auth
                title: Authentication works
                type: http.flow
                steps:
                  - request: {{method: POST, url: "${{api}}/auth/login",
                               json: {{email: smoke@example.com, password: "${{SMOKE_PASSWORD}}"}}}}
                    capture: {{token: $.access_token}}
                  - request: {{url: "${{api}}/me", headers: {{Authorization: "Bearer ${{token}}"}}}}
    """)
    assert results["auth"].outcome == Outcome.PASSED, results["auth"].summary


def test_a_malformed_url_built_at_run_time_is_an_error_not_an_unexpected_one(tmp_path: Path) -> None:
    links = Route(200, json.dumps({"next": "http://[::1/next"}), {"Content-Type": "application/json"})
    with serve({"/links": links}) as server:
        result, _ = run_check("http.flow", {"steps": [
            {"request": {"url": f"{server.url}/links"}, "capture": {"next": "$.next"}},
            {"name": "follow", "request": {"url": "${next}"}},
        ]}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, "step 2 (follow): expected an http:// or https:// URL, got "
                         "'http://[::1/next' (has an unclosed [ in its host)")
