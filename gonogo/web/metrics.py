"""/metrics in Prometheus's text format, read from the journal at each scrape (so every
server on one state reports the same numbers): runs by verdict, deploys, rollbacks, the
last verdict per environment, and the time from a run's end to its sign-offs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from gonogo.journal import policy
from gonogo.journal.schema import runs, signoffs
from gonogo.journal.store import Store
from gonogo.web import queries
from gonogo.web.context import Web


class JournalCollector(Collector):
    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | SummaryMetricFamily]:
        expired = policy.expire_overdue(self.store)  # verdicts as the runs' own pages say
        with self.store.engine.connect() as conn:
            by_verdict = conn.execute(
                sa.select(runs.c.command, runs.c.verdict, sa.func.count())
                .group_by(runs.c.command, runs.c.verdict)).all()
            waits = conn.execute(
                sa.select(runs.c.finished_at, sa.func.min(signoffs.c.at))
                .join(signoffs, signoffs.c.run_id == runs.c.id)
                .where(runs.c.finished_at.is_not(None))
                .group_by(runs.c.id, runs.c.finished_at)).all()
        total = CounterMetricFamily("gonogo_runs", "Runs recorded, by command and verdict",
                                    labels=["command", "verdict"])
        deploys = CounterMetricFamily("gonogo_deploys", "Deploy runs recorded")
        rollbacks = CounterMetricFamily("gonogo_rollbacks", "Rollback runs recorded")
        n_deploys = n_rollbacks = 0
        for command, verdict, n in by_verdict:
            total.add_metric([command, verdict or "none"], n)
            n_deploys += n if command == "deploy" else 0
            n_rollbacks += n if command == "rollback" else 0
        deploys.add_metric([], n_deploys)
        rollbacks.add_metric([], n_rollbacks)
        yield total
        yield deploys
        yield rollbacks
        last = GaugeMetricFamily("gonogo_last_verdict",
                                 "1 for the verdict of each environment's last finished run",
                                 labels=["environment", "verdict"])
        for env, row in queries.last_verdicts(self.store, expired).items():
            for verdict in queries.VERDICTS:
                last.add_metric([env, verdict], 1.0 if row["verdict"] == verdict else 0.0)
        yield last
        seconds = [max(0.0, (datetime.fromisoformat(first) - datetime.fromisoformat(end))
                       .total_seconds()) for end, first in waits if end and first]
        signoff = SummaryMetricFamily("gonogo_time_to_signoff_seconds",
                                      "From a run's end to its first sign-off",
                                      count_value=len(seconds), sum_value=sum(seconds))
        yield signoff


async def endpoint(web: Web, request: Request) -> Response:
    await web.who(request)
    registry = web.started.get("registry")
    if registry is None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(JournalCollector(web.store))
        web.started["registry"] = registry
    body = await web.db(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
