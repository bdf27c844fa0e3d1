"""``http.latency``: sample an endpoint ``samples`` times and hold p50/p95/p99/max and the
error ratio to thresholds, or p95 (or another statistic) to its value before the deploy."""

from __future__ import annotations

import math
import time
from typing import Any, Literal

from pydantic import Field

from gonogo.checks.base import CheckContext
from gonogo.checks.http import client_for
from gonogo.checks.signals import Condition, Sample, Signal, WatchState, evaluate
from gonogo.core.fields import Duration, HttpUrl, Strict
from gonogo.hookimpl import hookimpl

Stat = Literal["p50", "p95", "p99", "max"]


class LatencyBaseline(Strict):
    """``stat`` may grow to ``baseline * max_ratio`` / ``baseline + max_delta`` (never
    stricter than ``floor``)."""

    stat: Stat = "p95"
    max_ratio: float | None = Field(default=None, gt=0)
    max_delta: Duration | None = None
    floor: Duration | None = None


class HttpLatencyCheck(Signal):
    """Latency percentiles and error ratio of ``samples`` requests to one endpoint."""

    type_name = "http.latency"
    example = {"url": "http://127.0.0.1:3000/health", "p95": "300ms", "samples": 20}

    url: HttpUrl
    method: str = "GET"
    headers: dict[str, str] = {}
    samples: int = Field(default=20, ge=1, le=10_000)
    p50: Duration | None = None
    p95: Duration | None = None
    p99: Duration | None = None
    max: Duration | None = None
    #: Share of requests that may fail (wrong status, no answer): 0 by default.
    max_error_ratio: float = Field(default=0.0, ge=0, le=1)
    status: int | list[int] = 200
    baseline: LatencyBaseline | None = None
    verify_tls: bool = True
    request_timeout: Duration = 10.0

    def describe(self) -> str:
        limits = [f"{k} <= {ms(getattr(self, k))}" for k in ("p50", "p95", "p99", "max")
                  if getattr(self, k) is not None]
        return f"http.latency: {self.method} {self.url} ×{self.samples}" + (
            f" ({', '.join(limits)})" if limits else "")

    def wants_baseline(self) -> bool:
        return self.baseline is not None and (
            self.baseline.max_ratio is not None or self.baseline.max_delta is not None)

    async def measure_baseline(self, ctx: CheckContext) -> float | None:
        assert self.baseline is not None
        stats, _ = await self._measure()
        return stats.get(self.baseline.stat)

    async def sample(self, ctx: CheckContext, state: WatchState) -> Sample:
        stats, errors = await self._measure()
        n = self.samples
        ratio = errors / n
        shown = ", ".join(f"{k} {ms(stats[k])}" for k in ("p50", "p95", "max") if k in stats)
        tally = f"{errors}/{n} errors"
        data: dict[str, Any] = {f"{k}_ms": round(v * 1000, 1) for k, v in stats.items()}
        data.update(errors=errors, requests=n)
        value = stats.get(self.baseline.stat if self.baseline else "p95")
        if ratio > self.max_error_ratio:
            return Sample(value, True, f"{tally} ({ratio:.0%} > {self.max_error_ratio:.0%})"
                          + (f"; {shown}" if shown else ""), data=data)
        for stat in ("p50", "p95", "p99", "max"):
            limit = getattr(self, stat)
            if limit is not None and stats[stat] > limit:
                return Sample(value, True, f"{stat} {ms(stats[stat])} > {ms(limit)} "
                              f"({shown}, {tally})", data=data)
        if self.baseline is not None and self.wants_baseline():
            b = self.baseline
            conditions = []
            if b.max_ratio is not None:
                conditions.append(Condition("<=", None, "*", b.max_ratio, True, b.floor))
            if b.max_delta is not None:
                conditions.append(Condition("<=", None, "+", b.max_delta, True, b.floor))
            breached, text = evaluate(stats[b.stat], conditions, state.baseline, fmt=ms)
            if breached:
                return Sample(value, True, f"{b.stat} {text} ({tally})", data=data)
        return Sample(value, False, f"{shown}, {tally}", data=data)

    async def _measure(self) -> tuple[dict[str, float], int]:
        """Latencies of the requests that answered as expected, and the count that did not."""
        import httpx

        wanted = self.status if isinstance(self.status, list) else [self.status]
        latencies: list[float] = []
        errors = 0
        async with client_for(self.verify_tls, self.request_timeout) as client:
            for _ in range(self.samples):
                start = time.perf_counter()
                try:
                    response = await client.request(self.method.upper(), self.url,
                                                     headers=self.headers,
                                                     timeout=self.request_timeout)
                except httpx.HTTPError:
                    errors += 1
                    continue
                if response.status_code in wanted:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
        return stats_of(latencies), errors


def stats_of(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {}
    ordered = sorted(latencies)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ordered[-1]}


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "none"
    return f"{seconds * 1000:.0f}ms" if seconds >= 0.001 else f"{seconds * 1000:.2f}ms"


@hookimpl
def gonogo_check_types() -> list[type[HttpLatencyCheck]]:
    return [HttpLatencyCheck]
