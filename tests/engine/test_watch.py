"""Watch windows in the engine: sampling every interval, early end on the first failure,
failure_limit, non-signal checks, needs, and the console's live progress."""

from __future__ import annotations

import io
import re
from pathlib import Path

from gonogo.core.outcomes import Outcome
from gonogo.reports.console_report import ConsoleListener
from testing.engine import run_config
from testing.watch import WatchRun


def test_a_failure_stops_the_window_for_every_check(tmp_path: Path) -> None:
    (tmp_path / "bad").write_text("")
    watch = WatchRun(tmp_path, {
        "ok": ("command", {"run": "true"}),
        "broken": ("command", {"run": "test ! -e bad"}),
    }, duration=30, interval=0.2)
    results = watch.run()
    assert (results["broken"].outcome, results["broken"].summary[:14]) == (Outcome.FAILED, "exit 1 after 0")
    assert results["ok"].outcome == Outcome.PASSED
    assert re.fullmatch(r"held for \d\.\ds until the window stopped \(broken failed\); last exit 0",
                        results["ok"].summary)


def test_failure_limit_tolerates_isolated_breaches(tmp_path: Path) -> None:
    from testing.http_server import Route, serve

    count = {"n": 0}

    def every_other(method: str, path: str, body: bytes, headers: dict[str, str]) -> Route:
        count["n"] += 1
        return Route(500 if count["n"] % 2 == 0 else 200, "")

    with serve({"/": every_other}) as server:
        for limit, outcome in ((2, Outcome.PASSED), (1, Outcome.FAILED)):
            count["n"] = 0
            watch = WatchRun(tmp_path, {"flaky": ("http.latency", {
                "url": server.url + "/", "samples": 1, "failure_limit": limit})},
                duration=1, interval=0.2)
            result = watch.run()["flaky"]
            assert result.outcome == outcome, result.summary
    assert result.summary.startswith("1/1 errors (100% > 0%) after ")


def test_an_advisory_breach_warns_and_does_not_stop_others(tmp_path: Path) -> None:
    watch = WatchRun(tmp_path, {"soft": ("command", {"run": "false"}),
                                "hard": ("command", {"run": "true"})},
                     duration=0.6, interval=0.2, advisory=frozenset({"soft"}))
    results = watch.run()
    assert results["soft"].outcome == Outcome.WARNED
    assert results["hard"].outcome == Outcome.PASSED


def test_a_watch_phase_from_yaml_runs_for_its_duration(tmp_path: Path) -> None:
    results, events = run_config(tmp_path, """
        phases:
          - id: monitor
            kind: watch
            duration: 1s
            interval: 500ms
            checks:
              - {id: alive, run: "true"}
              - {id: later, run: "true", needs: [alive]}
    """, kinds=["watch"])
    assert results["alive"].summary == "held for 1.0s: 3 samples, last exit 0"
    assert results["alive"].attempts == 3
    assert events.log.index("finish alive") < events.log.index("start later")


def test_live_progress_shows_time_left_and_the_value_against_its_threshold(tmp_path: Path) -> None:
    out = io.StringIO()
    log = tmp_path / "app.log"
    log.write_text("")
    watch = WatchRun(tmp_path, {"errors": ("logs", {"file": "app.log", "pattern": "ERROR",
                                                    "max_per_minute": 1})},
                     duration=0.5, interval=0.25)
    listener = ConsoleListener(out, live=False)
    import asyncio

    from gonogo.engine.runner import Plan, Runner

    asyncio.run(Runner(watch.ctx, watch.journal, [listener]).run(Plan([watch.phase])))
    lines = out.getvalue().splitlines()
    assert lines[0] == "── Watch (watch) "
    assert re.fullmatch(r"  … errors: · 0 error lines/min \(<= 1\) · 0\.[45]s left", lines[1])
    assert re.fullmatch(r"  ✓ errors \[watch\] 0\.5s — held for 0\.5s: 3 samples, last 0 error "
                        r"lines/min \(<= 1\)", lines[-1])
