"""``http``: method, url, headers, body, expected status, body contains, JSON paths, latency, TLS."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.http_server import Route, Server, json_route, self_signed_cert, serve


@pytest.fixture
def server() -> Iterator[Server]:
    with serve({
        "/health": json_route({"status": "up", "db": {"ok": True}, "nodes": [{"name": "a"}]}),
        "/text": Route(200, "all systems go"),
        "/down": Route(503, "maintenance"),
        "/slow": Route(200, "late", delay=0.3),
    }) as srv:
        yield srv


def test_a_200_passes_with_latency_in_evidence(tmp_path: Path, server: Server) -> None:
    result, _ = run_check("http", {"url": f"{server.url}/text"}, tmp_path)
    assert result.outcome == Outcome.PASSED
    assert result.summary.startswith("HTTP 200 in ")
    assert result.evidence["status"] == 200
    assert result.evidence["body_excerpt"] == "all systems go"
    assert result.evidence["url"] == f"{server.url}/text"


def test_an_unexpected_status_fails(tmp_path: Path, server: Server) -> None:
    result, _ = run_check("http", {"url": f"{server.url}/down"}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "HTTP 503, expected 200")
    assert result.evidence["body_excerpt"] == "maintenance"
    result, _ = run_check("http", {"url": f"{server.url}/down", "expect": {"status": [200, 204]}},
                          tmp_path)
    assert result.summary == "HTTP 503, expected 200 or 204"
    result, _ = run_check("http", {"url": f"{server.url}/down", "expect": {"status": 503}}, tmp_path)
    assert result.outcome == Outcome.PASSED


def test_body_contains(tmp_path: Path, server: Server) -> None:
    url = f"{server.url}/text"
    assert run_check("http", {"url": url, "expect": {"body_contains": "go"}}, tmp_path)[0].outcome \
        == Outcome.PASSED
    result, _ = run_check("http", {"url": url, "expect": {"body_contains": "no-go"}}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "body does not contain 'no-go'")


def test_json_paths_equal(tmp_path: Path, server: Server) -> None:
    url = f"{server.url}/health"
    ok = {"$.status": "up", "$.db.ok": True, "$.nodes[0].name": "a", "$['status']": "up"}
    assert run_check("http", {"url": url, "expect": {"json": ok}}, tmp_path)[0].outcome == Outcome.PASSED
    result, _ = run_check("http", {"url": url, "expect": {"json": {"$.status": "down"}}}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "$.status is 'up', expected 'down'")
    result, _ = run_check("http", {"url": url, "expect": {"json": {"$.nodes[3].name": "a"}}}, tmp_path)
    assert result.summary == "$.nodes[3].name is missing from the JSON body"
    result, _ = run_check("http", {"url": f"{server.url}/text", "expect": {"json": {"$.a": 1}}},
                          tmp_path)
    assert result.summary == "body is not JSON"


def test_max_latency(tmp_path: Path, server: Server) -> None:
    result, _ = run_check("http", {"url": f"{server.url}/slow", "expect": {"max_latency": "100ms"}},
                          tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith("answered in ")
    assert result.summary.endswith("ms, over the 100ms limit")


def test_method_headers_and_body_are_sent(tmp_path: Path) -> None:
    seen: list[tuple[str, bytes, dict[str, str]]] = []

    def echo(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        seen.append((method, body, headers))
        return Route(201, "created")

    with serve({"/items": echo}) as srv:
        result, _ = run_check("http", {
            "url": f"{srv.url}/items", "method": "post", "headers": {"X-Token": "t1"},
            "body": "name=x", "expect": {"status": 201},
        }, tmp_path)
        assert result.outcome == Outcome.PASSED
        run_check("http", {"url": f"{srv.url}/items", "method": "PUT", "json": {"a": [1]},
                           "expect": {"status": 201}}, tmp_path)
    (m1, b1, h1), (m2, b2, h2) = seen
    assert (m1, b1, h1["X-Token"]) == ("POST", b"name=x", "t1")
    assert (m2, json.loads(b2), h2["Content-Type"]) == ("PUT", {"a": [1]}, "application/json")


def test_a_refused_connection_fails(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, _ = run_check("http", {"url": f"http://127.0.0.1:{port}/health"}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(f"GET http://127.0.0.1:{port}/health: connection failed (")


def test_no_answer_within_the_request_timeout(tmp_path: Path) -> None:
    with serve({"/hang": Route(200, "late", delay=2)}) as srv:
        result, _ = run_check("http", {"url": f"{srv.url}/hang", "request_timeout": "200ms"}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, f"GET {srv.url}/hang: no answer within 0.2s")


def test_tls_is_verified_unless_turned_off(tmp_path: Path) -> None:
    with serve({"/health": Route(200, "ok")}, tls=self_signed_cert(tmp_path)) as srv:
        assert srv.url.startswith("https://")
        result, _ = run_check("http", {"url": f"{srv.url}/health"}, tmp_path)
        assert result.outcome == Outcome.FAILED
        assert "CERTIFICATE_VERIFY_FAILED" in result.summary
        result, _ = run_check("http", {"url": f"{srv.url}/health", "verify_tls": False}, tmp_path)
        assert result.outcome == Outcome.PASSED


def test_retry_waits_until_healthy(tmp_path: Path) -> None:
    """503 for the first two requests, then 200: passes on the third try."""
    calls: list[int] = []

    def warming(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        calls.append(1)
        return Route(503, "warming up") if len(calls) <= 2 else Route(200, "up")

    with serve({"/health": warming}) as srv:
        result, _ = run_check("http", {"url": f"{srv.url}/health"}, tmp_path,
                              retry={"interval": "100ms", "within": "20s"})
    assert (result.outcome, result.attempts, len(calls)) == (Outcome.PASSED, 3, 3)


def test_retry_gives_up_after_within(tmp_path: Path) -> None:
    with serve({"/health": Route(503, "down")}) as srv:
        result, _ = run_check("http", {"url": f"{srv.url}/health"}, tmp_path,
                              retry={"interval": "100ms", "within": "500ms"})
    assert result.outcome == Outcome.FAILED
    assert result.attempts >= 3
    assert result.summary.startswith("HTTP 503, expected 200 (still failing after ")
    assert result.summary.endswith(f", {result.attempts} tries)")


def test_retry_attempts_bound_the_tries(tmp_path: Path) -> None:
    with serve({"/health": Route(503, "down")}) as srv:
        result, _ = run_check("http", {"url": f"{srv.url}/health"}, tmp_path,
                              retry={"interval": "10ms", "attempts": 3})
        assert (result.outcome, result.attempts, len(srv.requests)) == (Outcome.FAILED, 3, 3)
