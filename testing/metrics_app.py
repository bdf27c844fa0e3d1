"""A small app exposing ``prometheus_client`` metrics on a free 127.0.0.1 port, whose error
rate and latency a test raises at will, and a context manager that makes the real
Prometheus scrape it (file_sd) under a unique ``test`` label.

The app serves ``/metrics`` and ``/work`` (answers 500 at the error rate, after the latency);
a background thread also feeds its counters ~100 synthetic requests a second, so rates in
Prometheus move without a load generator.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

TICK_S = 0.1
PER_TICK = 10


@dataclass
class MetricsApp:
    url: str
    port: int
    #: Fraction of requests that fail (0..1).
    error_rate: float = 0.0
    #: Seconds each request takes (observed in the histogram; slept by ``/work``).
    latency: float = 0.01
    #: Metric names left out of ``/metrics`` (a metric that vanished).
    hidden: set[str] = field(default_factory=set)
    requests_served: int = 0

    def set(self, *, error_rate: float | None = None, latency: float | None = None) -> None:
        if error_rate is not None:
            self.error_rate = error_rate
        if latency is not None:
            self.latency = latency


@contextmanager
def metrics_app(*, error_rate: float = 0.0, latency: float = 0.01) -> Iterator[MetricsApp]:
    registry = CollectorRegistry()
    requests = Counter("app_requests", "Requests handled", registry=registry)
    errors = Counter("app_errors", "Requests that failed", registry=registry)
    duration = Histogram("app_request_duration_seconds", "Request latency", registry=registry,
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5))
    state: dict[str, Any] = {"app": None, "owed": 0.0}
    lock = threading.Lock()

    def handle_one() -> bool:
        app: MetricsApp = state["app"]
        with lock:
            state["owed"] += app.error_rate
            failed: bool = state["owed"] >= 1.0
            if failed:
                state["owed"] -= 1.0
        requests.inc()
        if failed:
            errors.inc()
        duration.observe(app.latency)
        return failed

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # headers and body go out in two writes: without this, Nagle plus delayed ACKs
            # add ~40 ms to every keep-alive request
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            app: MetricsApp = state["app"]
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                text = generate_latest(registry).decode()
                lines = [line for line in text.splitlines()
                         if not any(name in line for name in app.hidden)]
                self._send(200, "\n".join(lines) + "\n", "text/plain; version=0.0.4")
            elif path == "/work":
                time.sleep(app.latency)
                app.requests_served += 1
                failed = handle_one()
                self._send(500 if failed else 200, "failed\n" if failed else "ok\n", "text/plain")
            else:
                self._send(404, "not found\n", "text/plain")

        def _send(self, status: int, body: str, ctype: str) -> None:
            payload = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    app = MetricsApp(f"http://127.0.0.1:{port}", port, error_rate, latency)
    state["app"] = app
    stop = threading.Event()

    def traffic() -> None:
        while not stop.wait(TICK_S):
            for _ in range(PER_TICK):
                handle_one()

    threads = [threading.Thread(target=httpd.serve_forever, daemon=True),
               threading.Thread(target=traffic, daemon=True)]
    for thread in threads:
        thread.start()
    try:
        yield app
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()


def error_ratio_query(label: str, window: str = "3s") -> str:
    """PromQL: the fixture's error ratio over ``window``."""
    return (f'sum(rate(app_errors_total{{test="{label}"}}[{window}])) / '
            f'sum(rate(app_requests_total{{test="{label}"}}[{window}]))')


def p95_query(label: str, window: str = "3s") -> str:
    return (f"histogram_quantile(0.95, sum by (le) (rate(app_request_duration_seconds_bucket"
            f'{{test="{label}"}}[{window}])))')


def query(prometheus: str, promql: str) -> list[dict[str, Any]]:
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as response:
        data: dict[str, Any] = json.load(response)
    result: list[dict[str, Any]] = data["data"]["result"]
    return result


def wait_for(prometheus: str, promql: str, predicate: Any, within: float = 20.0) -> None:
    """Poll until ``predicate(values)`` holds for the query's values (floats)."""
    deadline = time.monotonic() + within
    values: list[float] = []
    while time.monotonic() < deadline:
        values = [float(r["value"][1]) for r in query(prometheus, promql)]
        if predicate(values):
            return
        time.sleep(0.25)
    raise AssertionError(f"Prometheus never satisfied the wait for {promql!r}: last {values}")


@contextmanager
def scraped(app: MetricsApp, sd_dir: str, prometheus: str) -> Iterator[str]:
    """Have Prometheus scrape ``app`` under a unique ``test`` label (yielded) until the block
    ends; waits until its first samples are queryable."""
    label = f"t{uuid.uuid4().hex[:10]}"
    target = Path(sd_dir) / f"{label}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps([{"targets": [f"127.0.0.1:{app.port}"],
                                "labels": {"test": label}}]))
    tmp.rename(target)  # atomic: Prometheus never reads half a file
    try:
        wait_for(prometheus, f'count_over_time(up{{test="{label}"}}[1m]) >= 3',
                 lambda v: bool(v))
        yield label
    finally:
        target.unlink(missing_ok=True)
