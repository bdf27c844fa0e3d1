"""``prometheus``: an instant PromQL query held to a threshold — absolute (``max: 0.01``,
``threshold: "< 0.01"``) or relative to its value before the deploy
(``baseline: {max_ratio: 1.2}``, ``threshold: "<= baseline + 0.01"``). No data is never a
silent pass: ``no_data`` says whether it fails, passes or is inconclusive."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import Field

from gonogo.checks.base import CheckContext
from gonogo.checks.http import api_get
from gonogo.checks.signals import (
    NoData,
    Sample,
    Signal,
    ThresholdMixin,
    WatchState,
    evaluate,
    no_data_sample,
    number,
)
from gonogo.core.errors import CheckError
from gonogo.core.fields import Duration, HttpUrl
from gonogo.hookimpl import hookimpl

Series = list[tuple[dict[str, str], float]]


class PrometheusCheck(Signal, ThresholdMixin):
    """An instant PromQL query (Prometheus HTTP API ``/api/v1/query``) against a threshold."""

    type_name = "prometheus"
    example = {"url": "http://127.0.0.1:9090", "query": "sum(rate(http_errors_total[1m]))",
               "max": 0.01, "no_data": "fail"}

    url: HttpUrl
    query: str = Field(min_length=1)
    no_data: NoData = "fail"
    headers: dict[str, str] = {}
    verify_tls: bool = True
    request_timeout: Duration = 10.0

    def describe(self) -> str:
        limits = " and ".join(c.text(None) for c in self.conditions()) or "any value"
        return f"prometheus: {self.query} {limits}"

    def wants_baseline(self) -> bool:
        return self.relative()

    async def measure_baseline(self, ctx: CheckContext) -> float | None:
        series = await self._query(None)
        return max(v for _, v in series) if series else None

    async def late_baseline(self, ctx: CheckContext) -> float | None:
        """No baseline was taken: Prometheus remembers, so ask it for the value at the
        moment the deploy started (the first deploy step of this run)."""
        moment = deploy_started(ctx)
        if moment is None:
            return await super().late_baseline(ctx)
        series = await self._query(moment.timestamp() - 1.0)
        return max(v for _, v in series) if series else None

    async def sample(self, ctx: CheckContext, state: WatchState) -> Sample:
        series = await self._query(None)
        data: dict[str, Any] = {"query": self.query, "series": len(series)}
        if not series:
            return no_data_sample(self.no_data, "no data: the query returned nothing", data)
        conditions = self.conditions()
        worst: tuple[bool, str, float] | None = None
        for labels, value in series:
            breached, text = evaluate(value, conditions, state.baseline)
            if len(series) > 1:
                text = f"{_labels(labels)} {text}"
            if worst is None or (breached and not worst[0]):
                worst = (breached, text, value)
            if breached:
                break
        assert worst is not None
        data["values"] = {_labels(lab) or "value": val for lab, val in series[:20]}
        return Sample(worst[2], worst[0], worst[1], data=data)

    async def _query(self, at: float | None) -> Series:
        params = {"query": self.query}
        if at is not None:
            params["time"] = f"{at:.3f}"
        endpoint = self.url.rstrip("/") + "/api/v1/query"
        response = await api_get(f"Prometheus at {self.url}", endpoint, params=params,
                                 headers=self.headers, verify_tls=self.verify_tls,
                                 timeout=self.request_timeout)
        try:
            body = response.json()
        except ValueError:
            raise CheckError(f"Prometheus at {self.url}: HTTP {response.status_code}, "
                             "not a Prometheus API answer") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else None
            raise CheckError(f"Prometheus rejected the query: {error or response.status_code}")
        return parse_result(body.get("data") or {})


def parse_result(data: dict[str, Any]) -> Series:
    """The finite values of an instant query's answer (NaN — e.g. 0/0 — counts as no data)."""
    kind, result = data.get("resultType"), data.get("result")
    out: Series = []
    if kind == "scalar" and isinstance(result, list):
        out.append(({}, _float(result[1])))
    elif kind == "vector" and isinstance(result, list):
        for item in result:
            out.append((dict(item.get("metric") or {}), _float(item["value"][1])))
    elif kind == "matrix":
        raise CheckError("the query returns a range vector; give an instant one "
                         "(e.g. wrap it in rate(…) or max_over_time(…))")
    else:
        raise CheckError(f"unexpected result type {kind!r} from Prometheus")
    return [(labels, value) for labels, value in out if not math.isnan(value)]


def _float(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _labels(labels: dict[str, str]) -> str:
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items())) + "}" if shown else ""


def deploy_started(ctx: CheckContext) -> datetime | None:
    """When this run's first deploy step started (from the results so far), if any."""
    starts = [getattr(r, "started_at", None) for r in ctx.results.values()
              if getattr(r, "kind", None) == "deploy"]
    found = [s for s in starts if isinstance(s, datetime)]
    return min(found) if found else None


__all__ = ["PrometheusCheck", "number"]


@hookimpl
def gonogo_check_types() -> list[type[PrometheusCheck]]:
    return [PrometheusCheck]
