"""``alerts``: no alert firing in an Alertmanager-compatible API v2 (Prometheus Alertmanager,
and Grafana's built-in alertmanager, which serves the same API), filtered by labels — what
"Check Grafana dashboards for anomalies" means when a machine checks it.

Alerts already firing before the deploy are not blamed on it: under `gonogo deploy` the
firing set is taken before the first change (the watch signals' baseline), and the window
counts only alerts that were not in it (``preexisting: count`` counts them all). Without
that baseline (`gonogo check`, a resumed run) every firing alert counts: fail closed."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from gonogo.checks.base import CheckContext
from gonogo.checks.http import api_get
from gonogo.checks.signals import Sample, Signal, WatchState, has_baseline
from gonogo.core.errors import CheckError
from gonogo.core.fields import Duration, HttpUrl
from gonogo.hookimpl import hookimpl

API = "/api/v2/alerts"
SHOWN = 5


class AlertsCheck(Signal):
    """Firing alerts matching ``labels`` (and ``matchers``) stay at or under ``max`` (0)."""

    type_name = "alerts"
    example = {"url": "http://127.0.0.1:9093", "labels": {"severity": "critical"}}

    #: The Alertmanager's base URL (Grafana: ``https://grafana…/api/alertmanager/grafana``).
    url: HttpUrl
    labels: dict[str, str] = {}
    #: Alertmanager matchers as its API takes them: ``alertname=~"High.*"``, ``env!="dev"``.
    matchers: list[str] = []
    max: int = Field(default=0, ge=0)
    include_silenced: bool = False
    #: ``ignore``: alerts firing before the deploy are not counted; ``count``: they are.
    preexisting: Literal["ignore", "count"] = "ignore"
    headers: dict[str, str] = {}
    verify_tls: bool = True
    request_timeout: Duration = 10.0

    def describe(self) -> str:
        return f"alerts: firing at {self.url} matching {self._filter_text() or 'anything'}"

    def _filters(self) -> list[str]:
        return [f'{k}="{v}"' for k, v in self.labels.items()] + list(self.matchers)

    def _filter_text(self) -> str:
        return ", ".join(self._filters())

    def wants_baseline(self) -> bool:
        return self.preexisting == "ignore"

    async def measure_baseline(self, ctx: CheckContext) -> float | None:
        """The alerts firing before the deploy (kept by fingerprint; their count returned)."""
        alerts = await self._firing()
        _before(ctx)[id(self)] = {_fingerprint(a) for a in alerts}
        return float(len(alerts))

    async def late_baseline(self, ctx: CheckContext) -> float | None:
        return None  # no record of what fired before: every firing alert counts

    async def sample(self, ctx: CheckContext, state: WatchState) -> Sample:
        alerts = await self._firing()
        before = _before(ctx).get(id(self)) if has_baseline(ctx, self) else None
        old = 0
        if before:
            kept = [a for a in alerts if _fingerprint(a) not in before]
            old, alerts = len(alerts) - len(kept), kept
        names = [_name(a) for a in alerts]
        where = f" matching {self._filter_text()}" if self._filters() else ""
        if old:
            where += f" ({old} firing since before the deploy, not counted)"
        data: dict[str, Any] = {"firing": names[:50], "count": len(alerts)}
        if len(alerts) > self.max:
            shown = "; ".join(names[:SHOWN]) + (f"; … {len(names) - SHOWN} more"
                                                 if len(names) > SHOWN else "")
            plural = "s" if len(alerts) != 1 else ""
            return Sample(float(len(alerts)), True,
                          f"{len(alerts)} alert{plural} firing{where}: {shown}", data=data)
        limit = f" (max {self.max})" if self.max else ""
        plural = "" if len(alerts) == 1 else "s"
        return Sample(float(len(alerts)), False,
                      f"{len(alerts)} alert{plural} firing{where}{limit}", data=data)

    async def _firing(self) -> list[dict[str, Any]]:
        base = self.url.rstrip("/")
        endpoint = base if base.endswith(API) else base + API
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("active", "true"), ("inhibited", "false")]
        if not self.include_silenced:
            params.append(("silenced", "false"))
        params.extend(("filter", f) for f in self._filters())
        response = await api_get(f"Alertmanager at {self.url}", endpoint, params=params,
                                 headers=self.headers, verify_tls=self.verify_tls,
                                 timeout=self.request_timeout)
        if response.status_code != 200:
            raise CheckError(f"Alertmanager at {self.url}: HTTP {response.status_code} "
                             f"from {API}: {response.text.strip()[:200]}")
        try:
            alerts = response.json()
        except ValueError:
            raise CheckError(f"Alertmanager at {self.url}: not an API v2 answer") from None
        if not isinstance(alerts, list):
            raise CheckError(f"Alertmanager at {self.url}: not an API v2 answer")
        firing = []
        for alert in alerts:
            labels = alert.get("labels") or {}
            status = (alert.get("status") or {}).get("state", "active")
            if status == "suppressed" and not self.include_silenced:
                continue
            if all(labels.get(k) == v for k, v in self.labels.items()):
                firing.append(alert)
        return firing


_BEFORE = "_gonogo_alerts_before"


def _before(ctx: CheckContext) -> dict[int, set[str]]:
    """Fingerprints firing before the deploy, per check, kept on the run's context (as the
    other signals' baselines are)."""
    store: dict[int, set[str]] = vars(ctx).setdefault(_BEFORE, {})
    return store


def _fingerprint(alert: dict[str, Any]) -> str:
    fingerprint = alert.get("fingerprint")
    if fingerprint:
        return str(fingerprint)
    return repr(sorted((alert.get("labels") or {}).items()))


def _name(alert: dict[str, Any]) -> str:
    labels = dict(alert.get("labels") or {})
    name = labels.pop("alertname", "alert")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    summary = (alert.get("annotations") or {}).get("summary")
    return f"{name}{{{shown}}}" + (f" — {summary}" if summary else "")


@hookimpl
def gonogo_check_types() -> list[type[AlertsCheck]]:
    return [AlertsCheck]
