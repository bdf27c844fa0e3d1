"""Items about watching after the deploy: dashboards and alerts, error logs, response times."""

from __future__ import annotations

from typing import Any

from gonogo.markdown.parse import Item, Section
from gonogo.markdown.recognize.base import Context, Recognized, has
from gonogo.markdown.recognize.http import rewrite


def dashboards(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"grafana|dashboards?|anomal|alerts?\b|alertmanager"):
        return None
    url = ctx.ref("alertmanager_url")
    return Recognized("alerts", {"url": url} if url else {}, "alerts", needs=[] if url else ["alertmanager_url"])


def error_logs(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"\blogs?\b") or not has(item.text, r"error|exception|fatal|panic"):
        return None
    api = next((s for s in ctx.services if str(s.get("name", "")).lower() in ("api", "backend")), None)
    params: dict[str, Any] = {"pattern": "ERROR|Exception"}
    if api is not None:
        params["container"] = api.get("service") or api["name"]
    return Recognized("logs", params, "logs", needs=[] if api else ["services (container names)"])


def response_times(item: Item, section: Section, ctx: Context) -> Recognized | None:
    if not has(item.text, r"response times?|latency|p9\d|slow"):
        return None
    limit = ctx.ref("max_latency")
    curl = ctx.scan.urls.first(api=True)
    params: dict[str, Any] = {"url": rewrite(curl.url, ctx)} if curl else {}
    if limit:
        params["p95"] = limit
    needs = ([] if limit else ["max_latency"]) + ([] if curl else ["api_url"])
    return Recognized("http.latency", params, "http.latency", needs=needs)
