"""``http.latency`` against a real HTTP server whose latency and error rate the test sets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing.checks import run_check
from testing.metrics_app import MetricsApp, metrics_app
from testing.watch import WatchRun


@pytest.fixture
def app() -> Iterator[MetricsApp]:
    with metrics_app(latency=0.005) as served:
        yield served


def test_a_fast_endpoint_passes_with_its_percentiles(tmp_path: Path, app: MetricsApp) -> None:
    result, _ = run_check("http.latency", {"url": f"{app.url}/work", "p95": "2s", "samples": 10},
                          tmp_path)
    assert result.outcome == Outcome.PASSED
    assert re.fullmatch(r"p50 \d+ms, p95 \d+ms, max \d+ms, 0/10 errors", result.summary)
    assert app.requests_served == 10
    assert result.evidence["requests"] == 10


def test_a_slow_endpoint_fails_on_its_p95(tmp_path: Path, app: MetricsApp) -> None:
    app.set(latency=0.06)
    result, _ = run_check("http.latency", {"url": f"{app.url}/work", "p95": "50ms", "samples": 5},
                          tmp_path)
    assert result.outcome == Outcome.FAILED
    assert re.fullmatch(r"p95 \d+ms > 50ms \(p50 \d+ms, p95 \d+ms, max \d+ms, 0/5 errors\)",
                        result.summary)


def test_errors_fail_on_the_error_ratio(tmp_path: Path, app: MetricsApp) -> None:
    app.set(error_rate=0.5)
    result, _ = run_check("http.latency", {"url": f"{app.url}/work", "samples": 10,
                                           "max_error_ratio": 0.1}, tmp_path)
    assert result.outcome == Outcome.FAILED
    assert re.fullmatch(r"5/10 errors \(50% > 10%\); p50 \d+ms, p95 \d+ms, max \d+ms",
                        result.summary)


def test_an_endpoint_that_never_answers_is_all_errors(tmp_path: Path) -> None:
    result, _ = run_check("http.latency", {"url": "http://127.0.0.1:9/x", "samples": 3}, tmp_path)
    assert (result.outcome, result.summary) == (Outcome.FAILED, "3/3 errors (100% > 0%)")


def test_the_window_holds_p95_to_the_baseline_before_the_deploy(tmp_path: Path, app: MetricsApp) -> None:
    watch = WatchRun(tmp_path, {"latency": ("http.latency", {
        "url": f"{app.url}/work", "samples": 5,
        "baseline": {"max_ratio": 2, "floor": "30ms"}})}, duration=20, interval=0.3)
    watch.baselines()
    app.set(latency=0.12)  # the new release is much slower
    result = watch.run()["latency"]
    assert result.outcome == Outcome.FAILED
    assert re.fullmatch(r"p95 \d+ms > \d+ms \(baseline \d+ms\) \(0/5 errors\) after \d\.\ds",
                        result.summary)
