"""``prometheus`` against a real Prometheus scraping a real prometheus_client app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from gonogo.core.outcomes import Outcome
from testing import services
from testing.checks import run_check
from testing.metrics_app import MetricsApp, error_ratio_query, metrics_app, scraped, wait_for
from testing.watch import WatchRun


@pytest.fixture(scope="module")
def prom() -> Iterator[tuple[str, MetricsApp, str]]:
    url, sd_dir = services.prometheus()
    with metrics_app() as app, scraped(app, sd_dir, url) as label:
        yield url, app, label


@pytest.fixture
def healthy(prom: tuple[str, MetricsApp, str]) -> Iterator[tuple[str, MetricsApp, str]]:
    url, app, label = prom
    app.set(error_rate=0.0)
    app.hidden.clear()
    wait_for(url, error_ratio_query(label), lambda v: v == [0.0])
    yield prom
    app.set(error_rate=0.0)
    app.hidden.clear()


def test_a_healthy_release_holds_the_window(tmp_path: Path, healthy: tuple[str, MetricsApp, str]) -> None:
    url, _, label = healthy
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": error_ratio_query(label), "max": 0.05})}, duration=2, interval=0.5)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.PASSED
    assert re.fullmatch(r"held for 2\.0s: \d samples, last 0 \(<= 0\.05\)", result.summary)
    assert result.evidence["samples"] >= 4
    lefts = [e.left for e in watch.progress.events]
    assert lefts == sorted(lefts, reverse=True) and watch.progress.events[0].sample.summary == "0 (<= 0.05)"


def test_a_raised_error_rate_fails_after_failure_limit_breaches(
    tmp_path: Path, healthy: tuple[str, MetricsApp, str]
) -> None:
    url, app, label = healthy
    app.set(error_rate=0.5)
    wait_for(url, error_ratio_query(label), lambda v: bool(v) and v[0] > 0.3)
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": error_ratio_query(label), "threshold": "< 0.05",
        "failure_limit": 2})}, duration=30, interval=0.5)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.FAILED
    assert re.fullmatch(r"0\.\d+ >= 0\.05 after \d\.\ds, 2 samples in a row", result.summary)
    assert result.evidence["samples"] == 2  # ended early, not after 30 s
    assert [e.breaches for e in watch.progress.events] == [1, 2]


def test_a_relative_threshold_compares_with_the_baseline_before_the_deploy(
    tmp_path: Path, healthy: tuple[str, MetricsApp, str]
) -> None:
    url, app, label = healthy
    app.set(error_rate=0.1)
    wait_for(url, error_ratio_query(label), lambda v: bool(v) and abs(v[0] - 0.1) < 0.01)
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": error_ratio_query(label), "threshold": "<= baseline * 1.5"})},
        duration=30, interval=0.5)
    assert abs(float(watch.baselines()["errors"]) - 0.1) < 0.02
    app.set(error_rate=0.4)  # the new release quadruples it
    wait_for(url, error_ratio_query(label), lambda v: bool(v) and v[0] > 0.3)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.FAILED
    assert re.fullmatch(r"0\.\d+ > 0\.1\d* \(baseline 0\.\d+\) after \d\.\ds", result.summary)
    assert abs(result.evidence["baseline"] - 0.1) < 0.02
    assert result.evidence["baseline_taken"] == "before the deploy"


def test_within_the_baseline_ratio_passes(tmp_path: Path, healthy: tuple[str, MetricsApp, str]) -> None:
    url, app, label = healthy
    app.set(error_rate=0.1)
    wait_for(url, error_ratio_query(label), lambda v: bool(v) and abs(v[0] - 0.1) < 0.01)
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": error_ratio_query(label), "baseline": {"max_ratio": 1.5}})},
        duration=1, interval=0.5)
    watch.baselines()
    result = watch.run()["errors"]
    assert result.outcome == Outcome.PASSED
    assert re.fullmatch(r"held for 1\.0s: 3 samples, last 0\.\d+ \(<= baseline \* 1\.5 = "
                        r"0\.1\d*\)", result.summary)


@pytest.mark.parametrize(("policy", "outcome", "summary"), [
    ("fail", Outcome.FAILED, "no data: the query returned nothing (no_data: fail) after 0.0s"),
    ("pass", Outcome.PASSED, "held for 1.0s: 3 samples, last no data: the query returned "
                             "nothing (no_data: pass)"),
    ("inconclusive", Outcome.PENDING, "inconclusive: no data: the query returned nothing at "
                                      "the end of the window (3 of 3 samples); a person decides"),
])
def test_a_vanished_metric_follows_no_data(
    tmp_path: Path, healthy: tuple[str, MetricsApp, str], policy: str, outcome: Outcome,
    summary: str,
) -> None:
    url, app, label = healthy
    app.hidden.add("app_errors")  # the new release no longer exports it
    wait_for(url, error_ratio_query(label), lambda v: v == [])
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": error_ratio_query(label), "max": 0.05, "no_data": policy})},
        duration=1, interval=0.5)
    result = watch.run()["errors"]
    assert (result.outcome, result.summary) == (outcome, summary)


def test_no_data_fails_by_default_outside_a_window(tmp_path: Path) -> None:
    url, _ = services.prometheus()
    result, _ = run_check("prometheus", {"url": url, "query": 'absent_metric_xyz{test="none"}',
                                         "max": 1}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, "no data: the query returned nothing (no_data: fail)")


def test_a_bad_query_is_an_error_not_a_breach(tmp_path: Path) -> None:
    url, _ = services.prometheus()
    result, _ = run_check("prometheus", {"url": url, "query": "sum(rate(", "max": 1}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, 'Prometheus rejected the query: invalid parameter "query": 1:10: parse '
                         "error: unclosed left parenthesis")


def test_an_unreachable_prometheus_errors_the_window_after_repeated_failures(tmp_path: Path) -> None:
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": "http://127.0.0.1:9", "query": "up", "max": 1})}, duration=30, interval=0.1)
    result = watch.run()["errors"]
    assert result.outcome == Outcome.ERRORED
    assert result.summary.startswith("could not be sampled 4 times in a row: Prometheus at "
                                     "http://127.0.0.1:9: connection failed")


def test_a_baseline_that_was_never_taken_is_an_error(tmp_path: Path) -> None:
    url, _ = services.prometheus()
    watch = WatchRun(tmp_path, {"errors": ("prometheus", {
        "url": url, "query": "vector(1)", "baseline": {"max_ratio": 2}})}, duration=1, interval=0.5)
    result = watch.run()["errors"]
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, "no baseline: it is measured before the deploy (`gonogo deploy` takes "
                         "it), and none was taken for this run")


def test_a_bad_threshold_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "gonogo.yml").write_text(
        "phases:\n  - id: watch\n    kind: watch\n    duration: 1m\n    checks:\n"
        "      - {type: prometheus, url: 'http://127.0.0.1:9090', query: up, threshold: 'about 3'}\n")
    from gonogo.core.errors import ConfigError
    from gonogo.sources import load_config

    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "gonogo.yml")
    assert str(info.value) == (
        f"{tmp_path / 'gonogo.yml'}:6: phases[0].checks[0].threshold: expected a threshold like "
        "'< 0.01' or '<= baseline * 1.2', got 'about 3'")
