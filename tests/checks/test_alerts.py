"""``alerts`` against a real Alertmanager (API v2) receiving real alerts."""

from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gonogo.core.outcomes import Outcome
from testing import services
from testing.checks import run_check
from testing.watch import WatchRun


def post_alert(url: str, labels: dict[str, str], *, summary: str = "", resolved: bool = False) -> None:
    alert: dict[str, object] = {"labels": labels, "annotations": {"summary": summary} if summary else {}}
    if resolved:
        alert["endsAt"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    request = urllib.request.Request(f"{url}/api/v2/alerts", json.dumps([alert]).encode(),
                                     {"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).close()


def test_no_firing_alert_passes(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    result, _ = run_check("alerts", {"url": url, "labels": {"test": test}}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, f'0 alerts firing matching test="{test}"')


def test_a_firing_alert_fails_with_its_name_labels_and_summary(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    post_alert(url, {"alertname": "HighErrorRate", "severity": "critical", "test": test},
               summary="error ratio 20%")
    result, _ = run_check("alerts", {"url": url, "labels": {"test": test, "severity": "critical"}},
                          tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.FAILED, f'1 alert firing matching test="{test}", severity="critical": '
                        f"HighErrorRate{{severity=critical, test={test}}} — error ratio 20%")
    assert result.evidence["count"] == 1


def test_labels_filter_and_resolved_alerts_do_not_count(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    post_alert(url, {"alertname": "DiskFilling", "severity": "warning", "test": test})
    post_alert(url, {"alertname": "Gone", "severity": "critical", "test": test}, resolved=True)
    result, _ = run_check("alerts", {"url": url, "labels": {"test": test, "severity": "critical"}},
                          tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, f'0 alerts firing matching test="{test}", severity="critical"')
    result, _ = run_check("alerts", {"url": url, "matchers": [f'test="{test}"', 'alertname=~"Disk.*"'],
                                     "max": 1}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.PASSED, f'1 alert firing matching test="{test}", alertname=~"Disk.*" (max 1)')


def test_an_alert_firing_during_the_window_stops_it(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    watch = WatchRun(tmp_path, {"grafana": ("alerts", {"url": url, "labels": {"test": test}})},
                     duration=30, interval=0.3)
    import threading

    timer = threading.Timer(0.8, post_alert, (url, {"alertname": "LatencyHigh", "test": test}))
    timer.start()
    try:
        result = watch.run()["grafana"]
    finally:
        timer.cancel()
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(f'1 alert firing matching test="{test}": '
                                     f"LatencyHigh{{test={test}}} after ")
    assert result.evidence["samples"] >= 2


def test_an_alertmanager_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    from testing.http_server import Route, serve

    with serve({"/api/v2/alerts": Route(404, "no such page")}) as server:
        result, _ = run_check("alerts", {"url": server.url}, tmp_path)
    assert (result.outcome, result.summary) == (
        Outcome.ERRORED, f"Alertmanager at {server.url}: HTTP 404 from /api/v2/alerts: no such page")


def test_alerts_firing_before_the_deploy_are_not_blamed_on_it(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    post_alert(url, {"alertname": "DiskFilling", "test": test})  # before the deploy
    watch = WatchRun(tmp_path, {"grafana": ("alerts", {"url": url, "labels": {"test": test}})},
                     duration=2, interval=0.3)
    assert watch.baselines() == {"grafana": "1"}
    result = watch.run()["grafana"]
    assert result.outcome == Outcome.PASSED, result.summary
    assert result.summary.endswith(
        f'last 0 alerts firing matching test="{test}" (1 firing since before the deploy, not '
        "counted)")


def test_a_new_alert_still_stops_the_window_when_an_old_one_fires(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    post_alert(url, {"alertname": "DiskFilling", "test": test})
    watch = WatchRun(tmp_path, {"grafana": ("alerts", {"url": url, "labels": {"test": test}})},
                     duration=30, interval=0.3)
    watch.baselines()
    post_alert(url, {"alertname": "HighErrorRate", "test": test})
    result = watch.run()["grafana"]
    assert result.outcome == Outcome.FAILED
    assert result.summary.startswith(
        f'1 alert firing matching test="{test}" (1 firing since before the deploy, not '
        f"counted): HighErrorRate{{test={test}}}")


def test_without_a_baseline_every_firing_alert_counts(tmp_path: Path) -> None:
    url, test = services.alertmanager(), uuid.uuid4().hex[:8]
    post_alert(url, {"alertname": "DiskFilling", "test": test})
    result, _ = run_check("alerts", {"url": url, "labels": {"test": test}}, tmp_path)
    assert result.outcome == Outcome.FAILED
