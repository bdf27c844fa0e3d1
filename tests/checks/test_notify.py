"""``notify``: the run's summary through apprise to a real ``json://`` receiver."""

from __future__ import annotations

import json
from pathlib import Path

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.http_server import Route, serve


def test_the_summary_reaches_the_receiver_and_the_url_stays_secret(tmp_path: Path) -> None:
    received: list[dict[str, str]] = []

    def receiver(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        received.append(json.loads(body))
        return Route(200, "ok")

    with serve({"/hooks/s3cretHookToken99": receiver}) as server:
        url = f"json://127.0.0.1:{server.port}/hooks/s3cretHookToken99"
        result, _ = run_check("notify", {"urls": [url]}, tmp_path, env={"GONOGO_VERSION": "v2.1.0"},
                              environment="production")
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, "sent to 1 target (json): gonogo: v2.1.0 production — GO")
    assert len(received) == 1
    assert received[0]["title"] == "gonogo: v2.1.0 production — GO"
    assert received[0]["message"] == "verdict: GO · version v2.1.0 · environment production"
    assert "s3cretHookToken99" not in result.title + json.dumps(result.evidence)


def test_an_unreachable_receiver_fails(tmp_path: Path) -> None:
    result, _ = run_check("notify", {"urls": ["json://127.0.0.1:9/x"], "title": "hello"}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "not delivered to 1 target (json): a notification target did not accept it")
